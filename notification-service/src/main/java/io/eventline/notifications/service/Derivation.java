package io.eventline.notifications.service;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.eventline.changerecord.Audience;
import io.eventline.changerecord.ChangeRecord;
import io.eventline.changerecord.InvalidChangeRecordException;
import io.eventline.http.Times;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Which notifications a change record yields, for whom, with what words. It keeps its own
 * projections of events and confirmed bookings from the records, so it never calls
 * events-service. Runs inside the consumer's transaction.
 */
@ApplicationScoped
public class Derivation {

    /** One notification to store: recipient entry, type, words, subject. */
    public record Draft(String recipient, String type, String title, String body, String subjectKind, String subjectId) {
    }

    /** The record's type is not one this service understands. */
    public static class UnknownTypeException extends RuntimeException {
        public UnknownTypeException(String type) {
            super("unknown record type " + type);
        }
    }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM yyyy, HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    private final EntityManager em;
    private final ObjectMapper json;

    public Derivation(EntityManager em, ObjectMapper json) {
        this.em = em;
        this.json = json;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public List<Draft> derive(ChangeRecord r) {
        JsonNode d = data(r);
        return switch (r.type()) {
            case "event.created" -> project(d, List.of());
            case "event.submitted" -> project(d, List.of(new Draft(Audience.roleEntry("admin"), "EVENT_SUBMITTED",
                    "New event to review: " + quote(d, "title"),
                    quote(d, "title") + " at " + text(d, "venue") + " is waiting for approval.", "event", r.subject())));
            case "event.approved" -> project(d, List.of(new Draft(partner(d), "EVENT_APPROVED",
                    "Your event " + quote(d, "title") + " was approved", "It is now in the catalog.", "event", r.subject())));
            case "event.rejected" -> project(d, List.of(new Draft(partner(d), "EVENT_REJECTED",
                    "Your event " + quote(d, "title") + " was rejected",
                    "Reason: " + text(d, "rejectionReason"), "event", r.subject())));
            case "event.updated" -> eventUpdated(r, d, new ArrayList<>());
            // A revision's content is in data.revision and never projected: the projection is what
            // bookers were promised, and it changes only when an admin approves.
            case "event.revision-submitted" -> project(d, List.of(new Draft(Audience.roleEntry("admin"), "REVISION_SUBMITTED",
                    "Changes to review: " + quote(d, "title"),
                    "The partner changed " + quote(d, "title") + "; the approved version stays public meanwhile.",
                    "event", r.subject())));
            case "event.revision-withdrawn" -> project(d, List.of());
            case "event.revision-approved" -> eventUpdated(r, d, new ArrayList<>(List.of(new Draft(partner(d),
                    "REVISION_APPROVED", "Your changes to " + quote(d, "title") + " were approved",
                    "They are now in the catalog.", "event", r.subject()))));
            case "event.revision-rejected" -> project(d, List.of(new Draft(partner(d), "REVISION_REJECTED",
                    "Your changes to " + quote(d.path("revision"), "title") + " were rejected",
                    "Reason: " + text(d.path("revision"), "rejectionReason")
                            + ". The approved version stays as it was.", "event", r.subject())));
            case "event.cancelled" -> project(d, toBookers(d, "EVENT_CANCELLED",
                    quote(d, "title") + " was cancelled", "Your booking is cancelled; your seats are released."));
            case "booking.confirmed" -> bookingConfirmed(r, d);
            case "booking.cancelled" -> bookingChanged(d, List.of());
            case "message.sent" -> messageSent(r, d);
            case "conversation.created", "conversation.read" -> List.of();
            default -> throw new UnknownTypeException(r.type());
        };
    }

    /** An approved change of content: bookers hear of a new venue or new times, on top of {@code drafts}. */
    private List<Draft> eventUpdated(ChangeRecord r, JsonNode d, List<Draft> drafts) {
        Object[] before = previous(UUID.fromString(text(d, "id")));
        if (before != null) {
            List<String> changes = new ArrayList<>();
            if (!Objects.equals(before[0], text(d, "venue"))) {
                changes.add("now at " + text(d, "venue"));
            }
            Instant startsAt = Instant.parse(text(d, "startsAt"));
            Instant endsAt = Instant.parse(text(d, "endsAt"));
            if (!startsAt.equals(before[1]) || !endsAt.equals(before[2])) {
                changes.add("now " + WHEN.format(startsAt) + " to " + WHEN.format(endsAt));
            }
            if (!changes.isEmpty()) { // a typo fixed in the description is no news to bookers
                drafts.addAll(toBookers(d, "EVENT_UPDATED", quote(d, "title") + " has changed",
                        "It is " + String.join(", ", changes) + "."));
            }
        }
        return project(d, drafts);
    }

    private List<Draft> bookingConfirmed(ChangeRecord r, JsonNode d) {
        JsonNode event = d.path("event");
        int seats = d.path("seats").asInt();
        String seatWord = seats == 1 ? "1 seat" : seats + " seats";
        String partner = partnerOf(UUID.fromString(text(d, "eventId")), r, text(d, "userId"));
        List<Draft> drafts = new ArrayList<>();
        drafts.add(new Draft(Audience.userEntry(text(d, "userId")), "BOOKING_CONFIRMED",
                "Booked: " + seatWord + " for " + quote(event, "title"),
                "See you at " + text(event, "venue") + ".", "booking", r.subject()));
        if (partner != null) {
            drafts.add(new Draft(partner, "BOOKING_RECEIVED", "New booking for " + quote(event, "title"),
                    text(d, "userId") + " booked " + seatWord + ".", "booking", r.subject()));
        }
        return bookingChanged(d, drafts);
    }

    private List<Draft> messageSent(ChangeRecord r, JsonNode d) {
        String sender = text(d, "senderId");
        JsonNode name = d.get("senderName");
        String who = name == null || name.isNull() || name.asText().isBlank() ? sender : name.asText();
        String body = text(d, "body");
        String excerpt = body.length() <= 80 ? body : body.substring(0, 80) + "…";
        List<Draft> drafts = new ArrayList<>();
        for (String sub : r.audience().subjects()) { // in wire order, so the drafts are sorted by recipient
            if (!sub.equals(sender)) {
                drafts.add(new Draft(Audience.userEntry(sub), "MESSAGE_RECEIVED", who + " sent you a message: '" + excerpt + "'",
                        excerpt, "conversation", text(d, "conversationId")));
            }
        }
        return drafts;
    }

    /** The confirmed bookers of the event in {@code d}, as our projection knows them. */
    private List<Draft> toBookers(JsonNode d, String type, String title, String body) {
        @SuppressWarnings("unchecked")
        List<String> users = em.createNativeQuery("select distinct user_id from booking_projection "
                + "where event_id = ?1 and status = 'CONFIRMED' order by user_id")
                .setParameter(1, UUID.fromString(text(d, "id"))).getResultList();
        return users.stream().map(u -> new Draft(Audience.userEntry(u), type, title, body, "event", text(d, "id"))).toList();
    }

    private List<Draft> project(JsonNode d, List<Draft> drafts) {
        em.createNativeQuery("""
                insert into event_projection (event_id, partner_id, title, venue, starts_at, ends_at, version)
                values (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                on conflict (event_id) do update set partner_id = excluded.partner_id, title = excluded.title,
                  venue = excluded.venue, starts_at = excluded.starts_at, ends_at = excluded.ends_at,
                  version = excluded.version
                where event_projection.version < excluded.version""")
                .setParameter(1, UUID.fromString(text(d, "id"))).setParameter(2, text(d, "partnerId"))
                .setParameter(3, text(d, "title")).setParameter(4, text(d, "venue"))
                .setParameter(5, Instant.parse(text(d, "startsAt"))).setParameter(6, Instant.parse(text(d, "endsAt")))
                .setParameter(7, d.path("version").asLong()).executeUpdate();
        return drafts;
    }

    private List<Draft> bookingChanged(JsonNode d, List<Draft> drafts) {
        em.createNativeQuery("""
                insert into booking_projection (booking_id, event_id, user_id, status, version) values (?1, ?2, ?3, ?4, ?5)
                on conflict (booking_id) do update set status = excluded.status, version = excluded.version
                where booking_projection.version < excluded.version""")
                .setParameter(1, UUID.fromString(text(d, "id"))).setParameter(2, UUID.fromString(text(d, "eventId")))
                .setParameter(3, text(d, "userId")).setParameter(4, text(d, "status"))
                .setParameter(5, d.path("version").asLong()).executeUpdate();
        return drafts;
    }

    private Object[] previous(UUID eventId) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select venue, starts_at, ends_at from event_projection where event_id = ?1")
                .setParameter(1, eventId).getResultList();
        if (rows.isEmpty()) {
            return null;
        }
        Object[] row = rows.get(0);
        return new Object[] { row[0], Times.of(row[1]), Times.of(row[2]) };
    }

    private String partnerOf(UUID eventId, ChangeRecord r, String booker) {
        @SuppressWarnings("unchecked")
        List<String> rows = em.createNativeQuery("select partner_id from event_projection where event_id = ?1")
                .setParameter(1, eventId).getResultList();
        if (!rows.isEmpty()) {
            return Audience.userEntry(rows.get(0));
        }
        // Not yet projected: the booking's audience is the booker and the partner.
        return r.audience().subjects().stream().filter(s -> !s.equals(booker)).findFirst()
                .map(Audience::userEntry).orElse(null);
    }

    private static String partner(JsonNode d) {
        return Audience.userEntry(text(d, "partnerId"));
    }

    private JsonNode data(ChangeRecord r) {
        try {
            return json.readTree(r.data());
        } catch (JsonProcessingException e) {
            throw new InvalidChangeRecordException("data is not JSON", e);
        }
    }

    private static String text(JsonNode d, String field) {
        JsonNode v = d.get(field);
        if (v == null || v.isNull()) {
            throw new InvalidChangeRecordException("data has no " + field);
        }
        return v.asText();
    }

    private static String quote(JsonNode d, String field) {
        return "'" + text(d, field) + "'";
    }
}
