package io.eventline.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * {@code Idempotency-Key} for creates: the same key from the same user returns the first result
 * and never creates twice. The key is claimed in the create's own transaction, so a create that
 * fails (a 409, say) releases it, and two concurrent requests with one key serialise on the
 * primary key: the second sees the first's result.
 */
@ApplicationScoped
public class Idempotency {

    private final EntityManager em;

    public Idempotency(EntityManager em) {
        this.em = em;
    }

    /**
     * Claims {@code key} for {@code newId}; returns the id created earlier under it, if any.
     * A key reused for a different request is a 422.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<UUID> claim(String user, String scope, String key, String request, UUID newId) {
        if (key == null) {
            return Optional.empty();
        }
        if (key.isEmpty() || key.length() > 200 || !key.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw Problem.badRequest("Idempotency-Key", "1 to 200 visible ASCII characters");
        }
        String hash = sha256(request);
        int inserted = em.createNativeQuery("""
                insert into idempotency_key (user_id, scope, key, request_hash, resource_id)
                values (?1, ?2, ?3, ?4, ?5) on conflict do nothing""")
                .setParameter(1, user).setParameter(2, scope).setParameter(3, key).setParameter(4, hash)
                .setParameter(5, newId).executeUpdate();
        if (inserted == 1) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select request_hash, resource_id from idempotency_key where user_id = ?1 and scope = ?2 and key = ?3")
                .setParameter(1, user).setParameter(2, scope).setParameter(3, key).getResultList();
        Object[] row = rows.get(0);
        if (!hash.equals(row[0])) {
            throw Problem.unprocessable("this Idempotency-Key was already used for a different request");
        }
        return Optional.of((UUID) row[1]);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
