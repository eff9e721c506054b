package io.eventline.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * An integration test against the shared {@link Cluster}: its two gateways' base URLs, {@link #a}
 * and {@link #b}, and the check, once its tests are done, that no event loop was blocked.
 */
public abstract class AgainstCluster {

    /** Gateway A's base URL. */
    protected static String a;
    /** Gateway B's base URL: the same cluster, another instance. */
    protected static String b;

    @BeforeAll
    static void gateways() {
        Cluster cluster = Cluster.get();
        a = cluster.gatewayA.url();
        b = cluster.gatewayB.url();
    }

    /** Waits until neither instance holds an open stream, a subscription or a queued byte (10 s at most). */
    protected static void awaitNoStreamLeft() {
        for (String gateway : List.of(a, b)) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(Metrics.value(gateway, "eventline_stream_open")).isZero();
                assertThat(Metrics.value(gateway, "eventline_stream_subscriptions")).isZero();
                assertThat(Metrics.value(gateway, "eventline_stream_queued_bytes")).isZero();
            });
        }
    }

    @AfterAll
    static void noEventLoopWasBlocked() {
        Cluster.assertNoEventLoopWasBlocked();
    }
}
