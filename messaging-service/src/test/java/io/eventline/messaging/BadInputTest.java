package io.eventline.messaging;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.testsupport.LocalStackTestResource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/** Each bad input: a clear 4xx as problem+json, and nothing written. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "messaging"))
class BadInputTest {

    private final Users me = Users.user();
    private String conversation;
    private long rowsBefore;

    @BeforeEach
    void setUp() {
        conversation = me.startWith(Users.user());
        me.send(conversation, "first");
        rowsBefore = rows();
    }

    @Test
    void anEmptyBlankOrOversizedBody() {
        problem(me.req().body(Map.of("body", "")).post(messages()), 400).body("errors.field", hasItem("body"));
        problem(me.req().body(Map.of("body", "  \n\t ")).post(messages()), 400).body("errors.field", hasItem("body"));
        problem(me.req().body(Map.of("body", "x".repeat(5001))).post(messages()), 400);
        problem(me.req().body("{}").post(messages()), 400);
    }

    @Test
    void moreThanFiftyParticipants() {
        List<String> many = IntStream.range(0, 51).mapToObj(i -> "u" + i).toList();
        problem(me.req().body(Map.of("participantIds", many)).post("/api/conversations"), 400)
                .body("errors[0].field", equalTo("participantIds"));
    }

    @Test
    void theCallerAsTheirOwnOnlyParticipant() {
        problem(me.req().body(Map.of("participantIds", List.of(me.sub()))).post("/api/conversations"), 400)
                .body("errors[0].field", equalTo("participantIds"));
        problem(me.req().body(Map.of("participantIds", List.of())).post("/api/conversations"), 400);
        problem(me.req().body(Map.of("participantIds", List.of("a,b"))).post("/api/conversations"), 400);
    }

    @Test
    void aMalformedOrUnknownConversationId() {
        problem(me.req().get("/api/conversations/not-a-uuid"), 404);
        problem(me.req().body(Map.of("body", "hi")).post("/api/conversations/12/messages"), 404);
        problem(me.req().get("/api/conversations/" + java.util.UUID.randomUUID()), 404);
        problem(me.req().body(Map.of("upToSeq", 1)).post("/api/conversations/" + java.util.UUID.randomUUID() + "/read"),
                404);
    }

    @Test
    void upToSeqBeyondTheLastOrNegative() {
        problem(me.req().body(Map.of("upToSeq", 2)).post(read()), 400).body("errors[0].field", equalTo("upToSeq"));
        problem(me.req().body(Map.of("upToSeq", -1)).post(read()), 400).body("errors[0].field", equalTo("upToSeq"));
        problem(me.req().body(Map.of("upToSeq", "two")).post(read()), 400);
    }

    @Test
    void malformedJsonWrongTypesAndAWrongMediaType() {
        problem(me.req().body("{\"body\": ").post(messages()), 400).body("title", equalTo("Malformed JSON"));
        problem(me.req().body(Map.of("body", 42)).post(messages()), 400);
        problem(me.req().body(Map.of("participantIds", "bob")).post("/api/conversations"), 400);
        problem(me.req().body(Map.of("body", "hi", "senderId", "someone-else")).post(messages()), 400);
        problem(given().auth().oauth2(me.token()).contentType("text/plain").body("hi").post(messages()), 415);
    }

    @Test
    void aBadBeforeOrLimit() {
        problem(me.req().queryParam("before", "x").get(messages()), 400);
        problem(me.req().queryParam("limit", 1000).get(messages()), 400);
        problem(me.req().queryParam("cursor", "0").get(messages()), 400).body("errors[0].field", equalTo("before"));
        String keyset = new io.eventline.http.Cursor(java.time.Instant.now(), java.util.UUID.randomUUID()).encode();
        problem(me.req().queryParam("before", keyset).get(messages()), 400) // a conversation cursor: another kind
                .body("errors[0].field", equalTo("before"));
        problem(me.req().queryParam("before", "x").queryParam("limit", 0).get(messages()), 400)
                .body("errors[0].field", equalTo("before"));
        problem(me.req().queryParam("limit", "-1").get("/api/conversations"), 400).body("errors[0].field", equalTo("limit"));
        problem(me.req().queryParam("cursor", "5").get("/api/conversations"), 400) // a message seq: another kind
                .body("errors[0].field", equalTo("cursor"));
        problem(me.req().queryParam("cursor", "forged!").get("/api/conversations"), 400)
                .body("errors[0].field", equalTo("cursor"));
    }

    private String messages() {
        return "/api/conversations/" + conversation + "/messages";
    }

    private String read() {
        return "/api/conversations/" + conversation + "/read";
    }

    private static long rows() {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) io.eventline.messaging.Message.getEntityManager()
                .createNativeQuery("select (select count(*) from conversation) + (select count(*) from participant) "
                        + "+ (select count(*) from message) + (select sum(read_seq) from participant)")
                .getSingleResult()).longValue());
    }

    private ValidatableResponse problem(io.restassured.response.Response response, int status) {
        ValidatableResponse r = response.then().statusCode(status).contentType("application/problem+json")
                .body("status", equalTo(status));
        assertThat(rows()).as("nothing written").isEqualTo(rowsBefore);
        return r;
    }
}
