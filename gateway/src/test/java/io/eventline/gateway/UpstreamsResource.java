package io.eventline.gateway;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.eventline.localstack.LocalStack;
import io.eventline.launcher.ServiceProcess;
import io.eventline.launcher.Ports;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * What the gateway routes to in its tests: the packaged events-service as a real process on the
 * shared stack; for messaging, a port nobody listens on (503); for notifications, a server that
 * accepts and never answers (504).
 */
public class UpstreamsResource implements QuarkusTestResourceLifecycleManager {

    private ServiceProcess events;
    private ServerSocket silent;
    private final List<Socket> held = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        LocalStack stack = LocalStack.shared();
        events = ServiceProcess.start(Path.of("..").toAbsolutePath().normalize(), "events-service", Ports.free(),
                stack.serviceEnv("gateway_events"), Path.of("target", "upstream-logs"));
        try {
            silent = new ServerSocket(0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread.ofPlatform().daemon().start(() -> {
            while (!silent.isClosed()) {
                try {
                    held.add(silent.accept());
                } catch (IOException e) {
                    return;
                }
            }
        });
        events.awaitReady(Duration.ofSeconds(90));
        return Map.of(
                "eventline.gateway.events-url", events.url(),
                "eventline.gateway.messaging-url", "http://127.0.0.1:" + Ports.free(),
                "eventline.gateway.notifications-url", "http://127.0.0.1:" + silent.getLocalPort(),
                "eventline.gateway.upstream-timeout", "1s");
    }

    @Override
    public void stop() {
        if (events != null) {
            events.stop();
        }
        try {
            silent.close();
            for (Socket s : held) {
                s.close();
            }
        } catch (IOException ignored) {
            // closing test sockets
        }
    }

}
