package io.eventline.http.common;

import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.eventline.changerecord.DevKey;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Refuses to start the prod profile with the committed development key (see {@link DevKey}) unless
 * {@code EVENTLINE_ALLOW_DEV_KEY=true}, and with no expected audience: in every service and in the
 * gateway.
 */
@Singleton
public class DevKeyGuard {

    @ConfigProperty(name = "mp.jwt.verify.publickey")
    Optional<String> key;

    @ConfigProperty(name = "mp.jwt.verify.publickey.location")
    Optional<String> location;

    @ConfigProperty(name = "mp.jwt.verify.audiences")
    Optional<String> audiences;

    @ConfigProperty(name = "eventline.allow-dev-key", defaultValue = "false")
    boolean allowed;

    // First among the start observers: nothing else should start with a key that must be refused.
    void check(@Observes @Priority(1) StartupEvent start) {
        DevKey.checkProdStart(ConfigUtils.getProfiles().contains("prod"), audiences, key, location, allowed);
    }
}
