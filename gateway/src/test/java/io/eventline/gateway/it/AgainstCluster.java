package io.eventline.gateway.it;

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

    @AfterAll
    static void noEventLoopWasBlocked() {
        Cluster.assertNoEventLoopWasBlocked();
    }
}
