package io.eventline.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;

import org.junit.jupiter.api.Test;

import io.eventline.changerecord.Topics;

class TopicsTest {

    @Test
    void theLocalStackCreatesExactlyTheChangeTopics() {
        assertEquals(Set.copyOf(Topics.ALL), LocalStack.TOPICS.keySet());
    }
}
