package io.eventline.notifications;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.testsupport.TopicReader.key;
import static io.eventline.notifications.Feed.START;
import static io.eventline.notifications.Feed.types;
import static io.eventline.notifications.Feed.unread;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.Topics;
import io.eventline.localstack.LocalStack;
import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.eventline.notifications.Feed.Person;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Read and read-all move unread counts exactly, per admin for role notifications, and publish their records. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "notifications"))
class ReadStateTest {

    Feed feed;
    TopicReader notifications;

    @BeforeEach
    void open() {
        feed = new Feed();
        notifications = new TopicReader(Topics.NOTIFICATIONS);
    }

    @AfterEach
    void close() {
        feed.close();
        notifications.close();
    }

    @Test
    void readAndReadAllAdjustTheUnreadCountExactlyAndEachEmitsItsRecord() {
        Person pat = Person.of("partner");
        UUID e1 = UUID.randomUUID();
        UUID e2 = UUID.randomUUID();
        feed.send(approved(e1, pat), approved(e2, pat));
        await().atMost(Duration.ofSeconds(20)).until(() -> unread(pat) == 2);
        List<String> ids = pat.req().get("/api/notifications").then().extract().path("items.id");
        String next = pat.req().queryParam("limit", 1).get("/api/notifications").then().statusCode(200)
                .body("items.id", contains(ids.get(0))).extract().path("nextCursor");
        pat.req().queryParam("limit", 1).queryParam("cursor", next).get("/api/notifications").then().statusCode(200)
                .body("items.id", contains(ids.get(1))).body("nextCursor", nullValue());

        pat.req().post("/api/notifications/" + ids.get(0) + "/read").then().statusCode(200).body("read", equalTo(true));
        assertThat(unread(pat)).isEqualTo(1);
        pat.req().post("/api/notifications/" + ids.get(0) + "/read").then().statusCode(200); // again: no change
        assertThat(unread(pat)).isEqualTo(1);
        pat.req().queryParam("unread", "true").get("/api/notifications").then().body("items", hasSize(1));
        pat.req().post("/api/notifications/read-all").then().statusCode(200).body("marked", equalTo(1));
        assertThat(unread(pat)).isZero();

        notifications.await(key(pat.sub()), 4, Duration.ofSeconds(20));
        assertThat(notifications.readToEnd(key(pat.sub()))).allSatisfy(r -> assertThat(
                io.eventline.changerecord.DataSchemas.strictViolations(io.eventline.changerecord.RecordTypes.schemaOf(
                        header(r, "ce_type")), io.eventline.testsupport.TopicReader.value(r))).isEmpty());
        assertThat(notifications.readToEnd(key(pat.sub()))).extracting(r -> header(r, "ce_type") + " " + header(r, "ce_audience"))
                .containsExactly("notification.created user:" + pat.sub(), "notification.created user:" + pat.sub(),
                        "notification.read user:" + pat.sub(), "notification.read-all user:" + pat.sub());
    }

    @Test
    void aRoleNotificationIsStoredOnceAndReadStateIsKeptPerAdmin() {
        Person ada = Person.of("admin");
        Person bea = Person.of("admin");
        long adaBefore = unread(ada);
        long beaBefore = unread(bea);
        UUID e = UUID.randomUUID();
        String partner = "p-" + UUID.randomUUID();
        feed.send(feed.eventRecord("event.submitted", e, Audience.user(partner).and(Audience.role("admin")), 1,
                Feed.event(e, partner, "PENDING_APPROVAL", 1, "Blue Room", START, "x")));
        await().atMost(Duration.ofSeconds(20)).until(() -> unread(ada) == adaBefore + 1);
        assertThat(unread(bea)).isEqualTo(beaBefore + 1);
        String id = ada.req().queryParam("limit", 100).get("/api/notifications").then().extract()
                .path("items.find { it.subject.id == '" + e + "' }.id");

        // Stored once: one row for the role, none per admin, whatever the number of admins.
        assertThat(rows("select recipient from notification where subject_id = ? and recipient <> ?", e.toString(),
                "user:" + partner)).as("the event's notifications besides the partner's").containsExactly("role:admin");

        // Addressed to the role only: the event's own partner and a plain user neither see it nor read it.
        for (Person outsider : List.of(new Person(partner, "partner"), Person.of("user"))) {
            assertThat(outsider.req().queryParam("limit", 100).get("/api/notifications").then().statusCode(200)
                    .extract().<List<String>>path("items.id")).as("%s's notifications", outsider.role()).doesNotContain(id);
            outsider.req().post("/api/notifications/" + id + "/read").then().statusCode(404)
                    .contentType("application/problem+json");
        }
        assertThat(rows("select count(*)::text from notification_read where notification_id = ?::uuid", id))
                .as("no read recorded for an outsider").containsExactly("0");

        ada.req().post("/api/notifications/" + id + "/read").then().statusCode(200);

        assertThat(unread(ada)).isEqualTo(adaBefore);
        assertThat(unread(bea)).isEqualTo(beaBefore + 1);
        assertThat(rows("select user_id from notification_read where notification_id = ?::uuid", id))
                .containsExactly(ada.sub());
        bea.req().post("/api/notifications/read-all").then().statusCode(200);
        assertThat(unread(bea)).isZero();
        assertThat(unread(ada)).isEqualTo(adaBefore);
        assertThat(rows("select user_id from notification_read where notification_id = ?::uuid order by user_id", id))
                .containsExactlyInAnyOrder(ada.sub(), bea.sub());
        assertThat(rows("select coalesce(read_at::text, 'unread') from notification where id = ?::uuid", id))
                .as("the shared row itself is read by nobody").containsExactly("unread");
        assertThat(rows("select count(*)::text from notification where subject_id = ? and recipient = 'role:admin'",
                e.toString())).as("still stored once after both reads").containsExactly("1");
        assertThat(types(ada)).contains("EVENT_SUBMITTED");
        // Every record about the one notification has its key (role:admin), not the reader's: one
        // partition, so a consumer reads its creation before anyone's read.
        assertThat(notifications.await(key("role:admin").and(TopicReader.subject(id)), 2, Duration.ofSeconds(20)))
                .extracting(r -> header(r, "ce_type") + " " + header(r, "ce_audience"))
                .containsExactly("notification.created role:admin", "notification.read user:" + ada.sub());
    }

    @Test
    void badInput() {
        Person pat = Person.of("partner");
        Person other = Person.of("partner");
        UUID e = UUID.randomUUID();
        feed.send(approved(e, pat));
        await().atMost(Duration.ofSeconds(20)).until(() -> unread(pat) == 1);
        String id = pat.req().get("/api/notifications").then().extract().path("items[0].id");

        other.req().post("/api/notifications/" + id + "/read").then().statusCode(404)
                .contentType("application/problem+json");
        assertThat(unread(pat)).isEqualTo(1);
        pat.req().post("/api/notifications/not-a-uuid/read").then().statusCode(404).contentType("application/problem+json");
        pat.req().queryParam("limit", 0).get("/api/notifications").then().statusCode(400)
                .body("errors[0].field", equalTo("limit"));
        pat.req().queryParam("limit", 101).get("/api/notifications").then().statusCode(400);
        pat.req().queryParam("limit", "-1").get("/api/notifications").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("limit"));
        pat.req().queryParam("cursor", "forged!").get("/api/notifications").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("cursor"));
        pat.req().queryParam("unread", "maybe").get("/api/notifications").then().statusCode(400)
                .contentType("application/problem+json").body("errors[0].field", equalTo("unread"));
        io.restassured.RestAssured.given().get("/api/notifications").then().statusCode(401);
        assertThat(unread(pat)).isEqualTo(1);
    }

    /** The first column of a query on the service's database, read over plain JDBC. */
    private static List<String> rows(String sql, String... params) {
        LocalStack stack = LocalStack.shared();
        try (Connection c = DriverManager.getConnection(stack.jdbcUrl("notifications"), stack.dbUsername(),
                stack.dbPassword()); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                s.setString(i + 1, params[i]);
            }
            List<String> values = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
            return values;
        } catch (SQLException ex) {
            throw new AssertionError(sql + ": " + ex.getMessage(), ex);
        }
    }

    private io.eventline.changerecord.ChangeRecord approved(UUID e, Person partner) {
        return feed.eventRecord("event.approved", e, Audience.PUBLIC, 2,
                Feed.event(e, partner.sub(), "APPROVED", 2, "Blue Room", START, "x"));
    }
}
