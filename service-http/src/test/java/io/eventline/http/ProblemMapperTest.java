package io.eventline.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;

import javax.transaction.xa.XAException;

import org.junit.jupiter.api.Test;

import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import jakarta.ws.rs.core.Response;

/** Which failures are the database being away (503), and which are ours (500). */
class ProblemMapperTest {

    private final ProblemMapper mapper = new ProblemMapper();

    /**
     * The shape Narayana gives a commit that lost its connection: no cause, the resource's
     * XAException among the suppressed, and the driver's exception as that one's cause. This is
     * what a PostgreSQL restart during a commit produces: not a 500, since the outcome is unknown.
     */
    @Test
    void aCommitThatLostItsConnectionIsA503ThatSaysTheOutcomeIsUnknown() {
        XAException xa = new XAException(XAException.XA_RBCOMMFAIL);
        xa.initCause(new SQLException("An I/O error occurred while sending to the backend.", "08006"));
        RollbackException commit = new RollbackException("ARJUNA016053: Could not commit transaction.");
        commit.addSuppressed(xa);

        Response r = mapper.unexpected(new RuntimeException(commit));

        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(r.getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(body(r)).contains("may or may not have been applied").contains("Idempotency-Key");
    }

    @Test
    void aHeuristicOutcomeWithAFailedResourceIsA503() {
        HeuristicMixedException commit = new HeuristicMixedException();
        commit.addSuppressed(new XAException(XAException.XAER_RMFAIL));

        assertThat(mapper.unexpected(commit).getStatus()).isEqualTo(503);
    }

    @Test
    void aRefusedConnectionBeforeTheCommitSaysNothingWasChanged() {
        Response r = mapper.unexpected(new IllegalStateException(new SQLException("Connection refused", "08001")));

        assertThat(r.getStatus()).isEqualTo(503);
        assertThat(body(r)).contains("nothing was changed");
    }

    @Test
    void aShutdownNoticeInAChainedSqlExceptionIsA503() {
        SQLException batch = new SQLException("Batch entry 0 was aborted", "08000");
        SQLException first = new SQLException("batch failed");
        first.setNextException(batch);

        assertThat(mapper.unexpected(first).getStatus()).isEqualTo(503);
    }

    @Test
    void aDataExceptionFoundAmongSuppressedIsA400() {
        RollbackException commit = new RollbackException();
        commit.addSuppressed(new SQLException("invalid byte sequence for encoding \"UTF8\": 0x00", "22021"));

        assertThat(mapper.unexpected(commit).getStatus()).isEqualTo(400);
    }

    @Test
    void aRollbackForAnyOtherReasonStaysA500() {
        RollbackException commit = new RollbackException("marked rollback only");
        commit.addSuppressed(new IllegalStateException("a bug"));

        assertThat(mapper.unexpected(commit).getStatus()).isEqualTo(500);
    }

    @Test
    void aCycleInTheCauseGraphEnds() {
        Exception a = new Exception("a");
        Exception b = new Exception("b", a);
        a.addSuppressed(b);

        assertThat(ProblemMapper.graph(a)).containsExactly(a, b);
        assertThat(mapper.unexpected(a).getStatus()).isEqualTo(500);
    }

    private static String body(Response r) {
        return String.valueOf(r.getEntity());
    }
}
