package io.eventline.changefeed.testapp;

import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;

/** A minimal aggregate for exercising the outbox. */
@Entity
public class Widget {

    @Id
    public UUID id;
    public String name;
    public long version;
}
