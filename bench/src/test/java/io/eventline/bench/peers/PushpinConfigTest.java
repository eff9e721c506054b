package io.eventline.bench.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** Pushpin's configuration, rendered from its resource templates. */
class PushpinConfigTest {

    @Test
    void everyPlaceholderIsFilledAndPushpinsOwnAreLeftForIt() {
        String conf = Pushpin.config(Path.of("/tmp/pp"), 7999, 5561, Path.of("/usr/bin/condure"), Path.of("/usr/bin/zurl"));
        assertThat(conf).doesNotContain("${")
                .contains("include={libdir}/internal.conf", "libdir=/tmp/pp/lib", "rundir=/tmp/pp/run", "ipc_prefix=p-",
                        "http_port=127.0.0.1:7999", "logdir=/tmp/pp/log", "condure_bin=/usr/bin/condure",
                        "zurl_bin=/usr/bin/zurl", "push_in_http_port=5561", "push_in_spec=ipc://{rundir}/{ipc_prefix}push-in")
                .containsPattern("(?m)^sig_key=[0-9a-f-]{36}$")
                .containsPattern("(?m)^log_level=\\d+$")
                .containsPattern("(?m)^message_rate=\\d+$");
    }

    @Test
    void theZurlTemplateIsCopiedAsIsForPushpinsRunnerToRender() {
        String zurl = PeerSupport.template(Pushpin.class, "zurl.conf.template", Map.of());
        assertThat(zurl).contains("in_spec=ipc://{{ rundir }}/{{ ipc_prefix }}zurl-in", "deny=\n");
    }

    @Test
    void aPlaceholderWithoutAValueOrAValueWithoutAPlaceholderIsOurBug() {
        assertThatThrownBy(() -> PeerSupport.template(Pushpin.class, "pushpin.conf", Map.of("dir", "/tmp/pp")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no value for ${");
        assertThatThrownBy(() -> PeerSupport.template(Pushpin.class, "zurl.conf.template", Map.of("port", 1)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no placeholder for [port]");
        assertThatThrownBy(() -> PeerSupport.template(Pushpin.class, "missing.conf", Map.of()))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("no template missing.conf");
    }
}
