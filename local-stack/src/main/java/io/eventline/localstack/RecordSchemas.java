package io.eventline.localstack;

import java.util.Set;

import io.eventline.changerecord.DataSchemas;

/**
 * For tests: the services' record tests check what they publish against change-record's JSON
 * Schemas, read strictly. Delegates to {@link DataSchemas}, the one implementation (which
 * notification-service also runs on every record it consumes).
 */
public final class RecordSchemas {

    private RecordSchemas() {
    }

    /**
     * The violations of {@code json}, as a producer's record, against the schema at
     * {@code /schemas/<name>.json} read strictly: no field and no enum value it does not name.
     * Empty when valid.
     */
    public static Set<String> violations(String schemaResource, String json) {
        return DataSchemas.strictViolations(schemaResource, json);
    }

    /** The violations of {@code json} against the published (open) schema, as a validating consumer sees them. */
    public static Set<String> publishedViolations(String schemaResource, String json) {
        return DataSchemas.publishedViolations(schemaResource, json);
    }
}
