package io.eventline.devcli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.eventline.launcher.ServiceProcess;
import org.junit.jupiter.api.Test;

/**
 * The gateway runs with one heap and one collector wherever it runs for real: {@code ./eventline up}
 * and the benchmarks take {@link ServiceProcess#GATEWAY_JAVA_OPTS}; the container image sets the
 * same collector and a heap of its percentage of the k8s memory limit, which must come to the same size.
 */
class GatewayJvmTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theContainerImageRunsTheGatewayWithTheHeapAndCollectorOfUpAndTheBenchmarks() throws IOException {
        String opts = ServiceProcess.GATEWAY_JAVA_OPTS;
        String dockerfile = Files.readString(ROOT.resolve("gateway/src/main/docker/Dockerfile.jvm"));
        String image = find(dockerfile, "(?m)^ENV JAVA_OPTS=\"([^\"]*)\"");
        // Every option but the heap's size (the image takes a percentage of its limit instead).
        for (String option : opts.split("\\s+")) {
            assertTrue(option.startsWith("-Xmx") || List.of(image.split("\\s+")).contains(option),
                    "the image's JAVA_OPTS (" + image + ") set " + option + ", as ServiceProcess.GATEWAY_JAVA_OPTS does");
        }
        long heapMiB = Long.parseLong(find(opts, "-Xmx(\\d+)m"));
        double percent = Double.parseDouble(find(image, "-XX:MaxRAMPercentage=([\\d.]+)"));
        String deployment = Files.readString(ROOT.resolve("k8s/base/apps/gateway.yaml"));
        long limitMiB = Long.parseLong(find(deployment, "(?s)limits:\\s*\\n\\s*cpu:[^\\n]*\\n\\s*memory:\\s*(\\d+)Mi"));
        assertEquals(heapMiB, Math.round(limitMiB * percent / 100),
                percent + " % of the k8s limit of " + limitMiB + " MiB, against -Xmx" + heapMiB + "m");
    }

    @Test
    void upStartsTheGatewayWithThoseOptionsAndTheOtherServicesSmall() {
        assertEquals(ServiceProcess.GATEWAY_JAVA_OPTS, Cli.javaOpts("gateway"));
        for (Cli.Service s : Cli.SERVICES) {
            if (!s.module().equals("gateway")) {
                assertNull(Cli.javaOpts(s.module()), s.module());
            }
        }
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + (text.length() > 200 ? text.substring(0, 200) + "…" : text));
        return m.group(1);
    }
}
