package io.eventline.systemtests;

import java.nio.file.Path;
import java.util.Map;

import io.eventline.launcher.ServiceProcess;

/**
 * The one place this suite finds the modules it runs: the repository's root, from the system
 * property {@code eventline.root} that system-tests/pom.xml sets to its parent's directory, and in
 * it each service's packaged build ({@code <module>/target/quarkus-app}). Maven packages those
 * first because system-tests/pom.xml declares each of them as a dependency.
 */
public final class Modules {

    /** The repository's root; {@code ..} (this module's parent) when the property is not set, as in an IDE. */
    public static final Path ROOT = Path.of(System.getProperty("eventline.root", "..")).toAbsolutePath().normalize();

    private Modules() {
    }

    /** Starts the packaged {@code module} (events-service, messaging-service, notification-service, gateway) on {@code port}. */
    public static ServiceProcess start(String module, int port, Map<String, String> env, Path logDir) {
        return ServiceProcess.start(ROOT, module, port, env, logDir);
    }
}
