package io.eventline.gateway.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

class TicketsTest {

    private static final String SECRET = "a-secret-of-at-least-thirty-two-characters";
    private final Identity alice = new Identity("alice", "user", System.currentTimeMillis() + 60_000);

    @Test
    void aTicketIsRedeemedOnceForItsIdentity() {
        Tickets tickets = new Tickets(new Signer("ticket", SECRET, List.of()), Duration.ofSeconds(60));
        String ticket = tickets.issue(alice);
        assertThat(tickets.redeem(ticket)).isEqualTo(alice);
        assertThat(tickets.redeem(ticket)).isNull();
    }

    @Test
    void anExpiredTicketOrOneOutlivingItsTokenIsRefused() {
        Tickets expired = new Tickets(new Signer("ticket", SECRET, List.of()), Duration.ZERO);
        assertThat(expired.redeem(expired.issue(alice))).isNull();
        Tickets tickets = new Tickets(new Signer("ticket", SECRET, List.of()), Duration.ofSeconds(60));
        assertThat(tickets.redeem(tickets.issue(new Identity("bob", "user", System.currentTimeMillis() - 1)))).isNull();
    }

    @Test
    void anotherInstanceWithTheSameSecretAcceptsItAndAnotherSecretDoesNot() {
        String ticket = new Tickets(new Signer("ticket", SECRET, List.of()), Duration.ofSeconds(60)).issue(alice);
        assertThat(new Tickets(new Signer("ticket", SECRET, List.of()), Duration.ofSeconds(60)).redeem(ticket)).isEqualTo(alice);
        assertThat(new Tickets(new Signer("ticket", SECRET + "x", List.of()), Duration.ofSeconds(60)).redeem(ticket)).isNull();
    }
}
