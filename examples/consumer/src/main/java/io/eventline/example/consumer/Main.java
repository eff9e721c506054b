package io.eventline.example.consumer;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs the example consumer until Ctrl-C (or SIGTERM), printing one line per change; exits 1 when
 * a handler fails. Replace the handler with what your service does with a change.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        ConsumerSettings settings = ConsumerSettings.fromEnvironment();
        System.out.println("example consumer, reading with\n" + settings.describe());
        ChangeFeedConsumer consumer = new ChangeFeedConsumer(settings, change -> System.out.println(change));
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            consumer.stop();
            try {
                finished.await(10, TimeUnit.SECONDS); // the record in hand is handled and committed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.printf("handled %d, duplicates %d, unknown types %d, undecodable %d%n", consumer.handled(),
                    consumer.duplicates(), consumer.unknownTypes(), consumer.undecodable());
        }, "change-feed-consumer-stop"));
        int status = 0;
        try {
            consumer.run();
        } catch (RuntimeException e) {
            e.printStackTrace();
            status = 1;
        } finally {
            finished.countDown();
        }
        if (status != 0) {
            System.exit(status);
        }
    }
}
