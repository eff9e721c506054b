package io.eventline.changerecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevKeyTest {

    /** The committed file itself, read from local-stack (the module that owns it), not a copy. */
    private static final Path COMMITTED = Path.of("../local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem");

    @Test
    void theCommittedKeyUnderAnyNameIsRefusedUnderProdUnlessOptedIn(@TempDir Path dir) throws Exception {
        Path renamed = Files.copy(COMMITTED, dir.resolve("idp.pem"));
        Optional<String> location = Optional.of(renamed.toUri().toString());
        assertThatThrownBy(() -> DevKey.refuseUnderProd(true, Optional.empty(), location, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(DevKey.OPT_IN);
        assertThatThrownBy(() -> DevKey.refuseUnderProd(true, Optional.of(Files.readString(COMMITTED)), Optional.empty(), false))
                .isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> DevKey.refuseUnderProd(true, Optional.empty(), location, true)).doesNotThrowAnyException();
        assertThatCode(() -> DevKey.refuseUnderProd(false, Optional.empty(), location, false)).doesNotThrowAnyException();
    }

    @Test
    void anotherKeyOrAJwksLocationStartsUnderProd(@TempDir Path dir) throws Exception {
        byte[] der = KeyPairGenerator.getInstance("RSA").generateKeyPair().getPublic().getEncoded();
        Path other = Files.writeString(dir.resolve("other.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\n-----END PUBLIC KEY-----\n");
        assertThat(DevKey.isDevKey(Files.readString(other))).isFalse();
        assertThatCode(() -> DevKey.refuseUnderProd(true, Optional.empty(), Optional.of(other.toUri().toString()), false))
                .doesNotThrowAnyException();
        assertThatCode(() -> DevKey.refuseUnderProd(true, Optional.empty(),
                Optional.of("https://idp.example/.well-known/jwks.json"), false)).doesNotThrowAnyException();
        assertThat(DevKey.isDevKey("{\"keys\":[]}")).isFalse();
    }

    @Test
    void prodStartsOnlyWithAnExpectedAudience(@TempDir Path dir) throws Exception {
        Optional<String> otherKey = Optional.of("https://idp.example/.well-known/jwks.json");
        assertThatThrownBy(() -> DevKey.checkProdStart(true, Optional.empty(), Optional.empty(), otherKey, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("EVENTLINE_JWT_AUDIENCE");
        assertThatThrownBy(() -> DevKey.checkProdStart(true, Optional.of(" "), Optional.empty(), otherKey, false))
                .isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> DevKey.checkProdStart(true, Optional.of("eventline"), Optional.empty(), otherKey, false))
                .doesNotThrowAnyException();
        assertThatCode(() -> DevKey.checkProdStart(false, Optional.empty(), Optional.empty(), otherKey, false))
                .doesNotThrowAnyException();
        Optional<String> committed = Optional.of(Files.copy(COMMITTED, dir.resolve("k.pem")).toUri().toString());
        assertThatThrownBy(() -> DevKey.checkProdStart(true, Optional.of("eventline"), Optional.empty(), committed, false))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining(DevKey.OPT_IN);
    }
}
