package io.eventline.messaging;

import static io.eventline.testsupport.TopicReader.header;
import static io.eventline.testsupport.TopicReader.key;
import static io.eventline.testsupport.TopicReader.value;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.eventline.testsupport.LocalStackTestResource;
import io.eventline.testsupport.TopicReader;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

/** Every kind of change yields exactly one record on eventline.messages, with the right audience. */
@QuarkusTest
@WithTestResource(value = LocalStackTestResource.class, initArgs = @ResourceArg(name = "database", value = "messaging"))
class MessageRecordsTest {

    record Seen(String type, String audience, String version) {
    }

    TopicReader reader;

    @BeforeEach
    void open() {
        reader = new TopicReader("eventline.messages");
    }

    @AfterEach
    void close() {
        reader.close();
    }

    @Test
    void createdSentAndReadEachYieldOneRecord() {
        Users a = Users.user();
        Users b = Users.user();
        Users c = Users.user();
        String everyone = String.join(",", Stream.of(a, b, c).map(u -> "user:" + u.sub()).sorted().toList());

        String id = a.startWith(b, c);
        a.send(id, "one");
        b.send(id, "two");
        c.req().body(Map.of("upToSeq", 2)).post("/api/conversations/" + id + "/read").then().statusCode(200);
        c.req().body(Map.of("upToSeq", 1)).post("/api/conversations/" + id + "/read").then().statusCode(200); // no move
        // A marker after it on the same key (one partition, relayed in commit order): once the marker
        // is on the topic, a record of the read that did not move would be there before it.
        a.send(id, "three");

        List<Seen> expected = List.of(
                new Seen("conversation.created", everyone, "1"),
                new Seen("message.sent", everyone, "1"),
                new Seen("message.sent", everyone, "2"),
                new Seen("conversation.read", "user:" + c.sub(), "2"),
                new Seen("message.sent", everyone, "3"));
        reader.await(key(id), expected.size(), Duration.ofSeconds(20));
        List<ConsumerRecord<String, byte[]>> records = reader.readToEnd(key(id));
        assertThat(records).extracting(r -> new Seen(header(r, "ce_type"), header(r, "ce_audience"),
                header(r, "ce_aggregateversion"))).containsExactlyElementsOf(expected);
        assertThat(records).allSatisfy(r -> assertThat(header(r, "ce_subject")).isEqualTo(id));
        assertThat(value(records.get(1))).contains("\"body\":\"one\"").contains("\"seq\":1");
        assertThat(value(records.get(0))).doesNotContain("unreadCount");
        assertThat(value(records.get(3))).contains("\"readSeq\":2").contains("\"userId\":\"" + c.sub() + "\"");
        assertThat(records).allSatisfy(r -> assertThat(io.eventline.changerecord.DataSchemas.strictViolations(
                io.eventline.changerecord.RecordTypes.schemaOf(header(r, "ce_type")), value(r))).as(header(r, "ce_type"))
                .isEmpty());
    }
}
