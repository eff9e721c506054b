package io.eventline.systemtests.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.eventline.systemtests.Cluster;
import io.eventline.systemtests.Modules;
import io.eventline.systemtests.Rest;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;
import io.vertx.core.json.JsonObject;

/**
 * Scenario 6, overbooking under faults. <b>Load:</b> users book seats of one approved event
 * concurrently (16 at once), twice as many seats as it has, spread over two events-service instances
 * on the same database: the cluster's and one of this test's own. <b>Fault:</b> this test's instance
 * is killed ({@code kill -9}) a third of the way in; its later requests fail to connect.
 * <b>Checks:</b> the seats are never oversold: the event's {@code seatsBooked} equals the seats of its
 * confirmed bookings and is at most its capacity; every booking answered 201 exists; the surviving
 * instance answers only 201 or 409 (sold out), never a 5xx.
 */
class OverbookingFaultIT {

    @Test
    void seatsAreNeverOversoldAcrossTwoInstancesWhenOneIsKilled() throws Exception {
        Cluster cluster = Cluster.get();
        int capacity = FaultReport.scaled(40, 200);
        int attempts = 2 * capacity;
        Rest partner = new Rest(cluster.gatewayA.url(), "partner");
        Rest admin = new Rest(cluster.gatewayA.url(), "admin");
        JsonObject created = partner.expect(201, "POST", "/api/events", new JsonObject().put("title", "overbooking")
                .put("venue", "Small room").put("capacity", capacity)
                .put("startsAt", java.time.Instant.now().plus(Duration.ofDays(20)).toString())
                .put("endsAt", java.time.Instant.now().plus(Duration.ofDays(20)).plus(Duration.ofHours(2)).toString()));
        String event = created.getString("id");
        partner.transition(event, "submit");
        admin.transition(event, "approve");

        ServiceProcess extra = Modules.start("events-service", Ports.free(),
                cluster.stack.serviceEnv("gwit_events"), Path.of("target", "it-logs", "overbooking-events-2"));
        extra.awaitReady(Duration.ofSeconds(90));
        List<String> instances = List.of(cluster.events.url(), extra.url());

        Map<String, Integer> confirmedByUs = new ConcurrentHashMap<>();
        AtomicInteger soldOut = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger serverErrors = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicInteger servedByKilled = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<String> firstRefusal = new java.util.concurrent.atomic.AtomicReference<>();
        Semaphore inFlight = new Semaphore(16);
        try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < attempts; i++) {
                if (i == attempts / 3) {
                    // Both instances have been booking for a while: kill one with requests in flight.
                    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> servedByKilled.get() >= 5);
                    extra.kill();
                }
                inFlight.acquire();
                Rest user = new Rest(instances.get(i % 2), "user");
                boolean survivor = i % 2 == 0;
                calls.submit(() -> {
                    try {
                        Rest.Reply r = user.call("POST", "/api/events/" + event + "/bookings", new JsonObject().put("seats", 1));
                        if (!survivor) {
                            servedByKilled.incrementAndGet();
                        }
                        if (r.status() == 201) {
                            confirmedByUs.put(r.json().getString("id"), 1);
                        } else if (r.status() == 409) {
                            soldOut.incrementAndGet();
                        } else if (r.status() >= 500) {
                            serverErrors.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                        }
                    } catch (IllegalStateException e) { // the killed instance: connection refused or reset
                        if (survivor) {
                            throw e;
                        }
                        refused.incrementAndGet();
                        firstRefusal.compareAndSet(null, e.getMessage());
                    } finally {
                        done.incrementAndGet();
                        inFlight.release();
                    }
                });
            }
            calls.shutdown();
            assertThat(calls.awaitTermination(120, TimeUnit.SECONDS)).isTrue();
        } finally {
            extra.stop();
        }

        int seatsBooked;
        int confirmedSeats;
        int confirmedBookings;
        try (Connection c = DriverManager.getConnection(cluster.stack.jdbcUrl("gwit_events"), cluster.stack.dbUsername(),
                cluster.stack.dbPassword())) {
            try (var s = c.prepareStatement("select seats_booked from event where id = ?::uuid")) {
                s.setString(1, event);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    seatsBooked = rs.getInt(1);
                }
            }
            try (var s = c.prepareStatement(
                    "select coalesce(sum(seats), 0), count(*) from booking where event_id = ?::uuid and status = 'CONFIRMED'")) {
                s.setString(1, event);
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    confirmedSeats = rs.getInt(1);
                    confirmedBookings = rs.getInt(2);
                }
            }
        }
        int oversold = Math.max(0, seatsBooked - capacity);
        FaultReport.row("6", "Overbooking under faults", attempts + " concurrent one-seat bookings for " + capacity
                + " seats over 2 events-service instances", "kill -9 of one instance a third of the way in", 0, oversold,
                serverErrors.get(), null, confirmedByUs.size() + " confirmed answers, " + confirmedBookings
                        + " confirmed bookings, " + seatsBooked + "/" + capacity + " seats, " + soldOut.get() + " sold out, "
                        + servedByKilled.get() + " answered by the instance killed, " + refused.get() + " refused by it");
        assertThat(servedByKilled.get()).as("the killed instance served bookings before the kill (first refusal: %s)",
                firstRefusal.get()).isPositive();
        assertThat(seatsBooked).as("seats booked never above capacity").isLessThanOrEqualTo(capacity);
        assertThat(confirmedSeats).as("seatsBooked = the seats of the confirmed bookings").isEqualTo(seatsBooked);
        assertThat(confirmedBookings).as("every 201 exists").isGreaterThanOrEqualTo(confirmedByUs.size());
        assertThat(serverErrors.get()).as("5xx answers").isZero();
        assertThat(other.get()).as("answers other than 201 and 409").isZero();
        assertThat(seatsBooked).as("the event sold out").isEqualTo(capacity);
    }
}
