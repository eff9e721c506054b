package io.eventline.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** The happy paths, participant-only access, seq under concurrency, idempotent send and exact unread counts. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "messaging"))
class ConversationsTest {

    @Test
    void startAConversationSendAndReadMessages() {
        Users pat = Users.any("partner");
        Users ada = Users.any("admin");

        var created = pat.req().body(Map.of("participantIds", List.of(ada.sub()), "subject", "Jazz Night"))
                .post("/api/conversations").then().statusCode(201)
                .body("participants", containsInAnyOrder(pat.sub(), ada.sub()))
                .body("subject", equalTo("Jazz Night")).body("lastSeq", equalTo(0)).body("unreadCount", equalTo(0))
                .body("lastMessage", nullValue()).extract();
        String id = created.path("id");
        assertThat(created.header("Location")).isEqualTo("/api/conversations/" + id);

        pat.req().body(Map.of("body", "Hello")).post("/api/conversations/" + id + "/messages").then().statusCode(201)
                .body("seq", equalTo(1)).body("senderId", equalTo(pat.sub())).body("senderName", equalTo(pat.sub()))
                .body("conversationId", equalTo(id))
                .body("sentAt", notNullValue()).body("id", notNullValue());
        ada.send(id, "Hi back");

        ada.req().get("/api/conversations/" + id + "/messages").then().statusCode(200)
                .body("items.body", contains("Hi back", "Hello")).body("items.seq", contains(2, 1));
        ada.req().queryParam("before", 2).get("/api/conversations/" + id + "/messages").then()
                .body("items.body", contains("Hello"));
        pat.req().get("/api/conversations/" + id).then().statusCode(200).body("lastMessage.body", equalTo("Hi back"))
                .body("unreadCount", equalTo(1));
        pat.req().body(Map.of("upToSeq", 2)).post("/api/conversations/" + id + "/read").then().statusCode(200)
                .body("readSeq", equalTo(2)).body("unreadCount", equalTo(0));
        assertThat(pat.unread()).isZero();
    }

    @Test
    void theListIsLatestActivityFirstAndPaginated() {
        Users me = Users.user();
        String older = me.startWith(Users.user());
        String newer = me.startWith(Users.user());
        me.send(older, "bump"); // older now has the latest activity

        var page1 = me.req().queryParam("limit", 1).get("/api/conversations").then().statusCode(200)
                .body("items", hasSize(1)).body("items[0].id", equalTo(older)).body("nextCursor", notNullValue())
                .extract();
        me.req().queryParam("limit", 1).queryParam("cursor", page1.<String>path("nextCursor")).get("/api/conversations")
                .then().body("items[0].id", equalTo(newer));
        me.req().get("/api/conversations").then().body("items[0].lastMessage.body", equalTo("bump"))
                .body("items[0].participants", hasSize(2));
    }

    @Test
    void messagesPageBackwardsBySeq() {
        Users a = Users.user();
        String id = a.startWith(Users.user());
        for (int i = 1; i <= 5; i++) {
            a.send(id, "m" + i);
        }
        var page = a.req().queryParam("limit", 2).get("/api/conversations/" + id + "/messages").then()
                .body("items.seq", contains(5, 4)).body("nextCursor", equalTo("4")).extract();
        a.req().queryParam("limit", 2).queryParam("before", page.<String>path("nextCursor"))
                .get("/api/conversations/" + id + "/messages").then().body("items.seq", contains(3, 2));
    }

    @Test
    void aNonParticipantGets404OnReadPostAndMarkRead() {
        Users a = Users.user();
        String id = a.startWith(Users.user());
        a.send(id, "private");
        Users outsider = Users.user();

        outsider.req().get("/api/conversations/" + id).then().statusCode(404).contentType("application/problem+json");
        outsider.req().get("/api/conversations/" + id + "/messages").then().statusCode(404);
        outsider.req().body(Map.of("body", "let me in")).post("/api/conversations/" + id + "/messages").then()
                .statusCode(404).contentType("application/problem+json");
        outsider.req().body(Map.of("upToSeq", 1)).post("/api/conversations/" + id + "/read").then().statusCode(404);
        outsider.req().get("/api/conversations").then().body("items", hasSize(0));
        a.req().get("/api/conversations/" + id).then().body("lastSeq", equalTo(1));
    }

    @Test
    void twentyConcurrentSendersOfFiftyMessagesGetSeqsOneToAThousandEachOnce() throws Exception {
        Users owner = Users.user();
        List<Users> senders = new ArrayList<>();
        for (int i = 0; i < 19; i++) {
            senders.add(Users.user());
        }
        String id = owner.startWith(senders.toArray(Users[]::new));
        senders.add(owner);
        List<Callable<List<Integer>>> work = new ArrayList<>();
        for (Users s : senders) {
            String token = s.token();
            work.add(() -> {
                List<Integer> seqs = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    seqs.add(io.restassured.RestAssured.given().auth().oauth2(token).contentType("application/json")
                            .body("{\"body\":\"m" + i + "\"}").post("/api/conversations/" + id + "/messages").then()
                            .statusCode(201).extract().<Integer>path("seq"));
                }
                return seqs;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<Integer> all = new ArrayList<>();
        try {
            for (Future<List<Integer>> f : pool.invokeAll(work)) {
                all.addAll(f.get());
            }
        } finally {
            pool.shutdown();
        }
        assertThat(all).hasSize(1000).doesNotHaveDuplicates().allSatisfy(s -> assertThat(s).isBetween(1, 1000));
        owner.req().get("/api/conversations/" + id).then().body("lastSeq", equalTo(1000));
    }

    @Test
    void aRepeatedIdempotencyKeyReturnsTheFirstMessage() {
        Users a = Users.user();
        String id = a.startWith(Users.user());
        String first = a.req().header("Idempotency-Key", "send-1").body(Map.of("body", "once"))
                .post("/api/conversations/" + id + "/messages").then().statusCode(201).extract().path("id");
        a.req().header("Idempotency-Key", "send-1").body(Map.of("body", "once"))
                .post("/api/conversations/" + id + "/messages").then().statusCode(201)
                .header("Idempotent-Replayed", "true").body("id", equalTo(first)).body("seq", equalTo(1));
        a.req().get("/api/conversations/" + id).then().body("lastSeq", equalTo(1));
    }

    @Test
    void unreadCountsThroughAnExchangeBetweenThreeUsers() {
        Users ann = Users.user();
        Users bob = Users.user();
        Users cat = Users.user();
        String trio = ann.startWith(bob, cat);
        String pair = bob.startWith(cat);

        ann.send(trio, "hi all");                       // bob 1, cat 1
        bob.send(trio, "hey");                          // bob read 1 by writing: ann 1, cat 2
        assertThat(List.of(ann.unread(), bob.unread(), cat.unread())).containsExactly(1L, 0L, 2L);

        bob.send(pair, "just us");                      // cat 3
        cat.req().body(Map.of("upToSeq", 1)).post("/api/conversations/" + trio + "/read").then().statusCode(200)
                .body("unreadCount", equalTo(1));       // cat: trio 1 + pair 1
        assertThat(cat.unread()).isEqualTo(2);
        cat.req().body(Map.of("upToSeq", 0)).post("/api/conversations/" + trio + "/read").then().statusCode(200)
                .body("readSeq", equalTo(1));           // never moves back
        cat.send(trio, "reading you");                  // cat reads trio by writing; ann 2, bob 1
        assertThat(List.of(ann.unread(), bob.unread(), cat.unread())).containsExactly(2L, 1L, 1L);
        cat.req().get("/api/conversations/" + pair).then().body("unreadCount", equalTo(1));
    }
}
