package io.eventline.messaging;

import static io.restassured.RestAssured.given;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.eventline.localstack.DevTokens;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** A test persona with a fresh subject, so tests never see each other's conversations. */
record Users(String sub, String role) {

    static Users any(String role) {
        return new Users(role + "-" + UUID.randomUUID(), role);
    }

    static Users user() {
        return any("user");
    }

    String token() {
        return DevTokens.mint(sub, role, sub, Duration.ofMinutes(30));
    }

    RequestSpecification req() {
        return given().auth().oauth2(token()).contentType(ContentType.JSON);
    }

    String startWith(Users... others) {
        return req().body(Map.of("participantIds", List.of(others).stream().map(Users::sub).toList()))
                .post("/api/conversations").then().statusCode(201).extract().path("id");
    }

    long send(String conversation, String body) {
        return req().body(Map.of("body", body)).post("/api/conversations/" + conversation + "/messages").then()
                .statusCode(201).extract().<Integer>path("seq");
    }

    long unread() {
        return req().get("/api/messages/unread-count").then().statusCode(200).extract().<Integer>path("count");
    }
}
