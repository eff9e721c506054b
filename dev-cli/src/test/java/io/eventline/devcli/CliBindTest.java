package io.eventline.devcli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code ./eventline up} listens on loopback unless a LAN demo is asked for explicitly. */
class CliBindTest {

    @Test
    void loopbackByDefault() {
        assertEquals("127.0.0.1", Cli.bindHost(List.of(), null));
        assertEquals("127.0.0.1", Cli.bindHost(List.of(), " "));
    }

    @Test
    void everyInterfaceOnlyWhenAskedFor() {
        assertEquals("0.0.0.0", Cli.bindHost(List.of("--lan"), null));
        assertEquals("0.0.0.0", Cli.bindHost(List.of(), "0.0.0.0"));
    }

    @Test
    void anythingElseIsRefusedRatherThanGuessed() {
        assertNull(Cli.bindHost(List.of("--public"), null));
        assertNull(Cli.bindHost(List.of(), "192.168.1.7"));
    }
}
