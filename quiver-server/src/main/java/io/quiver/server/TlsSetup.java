package io.quiver.server;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.tls.Tls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Loads the key and certificate chain of {@link ServerConfig.Tls} once for both servers: Helidon's TLS settings for
 * REST, the raw key material for gRPC. A missing or unreadable key fails at startup.
 */
public final class TlsSetup {
  private TlsSetup() {}

  /** A private key and its certificate chain (leaf first). */
  public record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {}

  static Tls tls(ServerConfig.Tls t) {
    KeyMaterial m = keyMaterial(t);
    return Tls.builder().privateKey(m.key()).privateKeyCertChain(m.chain()).build();
  }

  /** The key and chain {@code t} names; IllegalArgumentException when they cannot be read. */
  public static KeyMaterial keyMaterial(ServerConfig.Tls t) {
    PrivateKey key;
    List<X509Certificate> chain;
    try {
      if (t.keystore() != null) {
        readable(t.keystore(), "tls.keystore");
        // the keystore's first private-key entry, whatever its alias
        KeyStore ks = KeyStore.getInstance("PKCS12");
        char[] password = t.keystorePassword().toCharArray();
        try (var in = Files.newInputStream(t.keystore())) {
          ks.load(in, password);
        }
        key = null;
        chain = List.of();
        for (String alias : Collections.list(ks.aliases())) {
          if (ks.isKeyEntry(alias) && ks.getKey(alias, password) instanceof PrivateKey k) {
            key = k;
            chain = Arrays.stream(ks.getCertificateChain(alias)).map(c -> (X509Certificate) c).toList();
            break;
          }
        }
      } else {
        readable(t.certChain(), "tls.cert");
        readable(t.privateKey(), "tls.key");
        Keys keys = Keys.builder().pem(p -> p.key(Resource.create(t.privateKey()))
            .certChain(Resource.create(t.certChain()))).build();
        key = keys.privateKey().orElse(null);
        chain = keys.certChain();
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalArgumentException("TLS: cannot load the key and certificate (" + t + "): " + e.getMessage(), e);
    }
    if (key == null || chain.isEmpty()) {
      throw new IllegalArgumentException("TLS: " + t + " holds no private key with a certificate chain");
    }
    return new KeyMaterial(key, chain);
  }

  private static void readable(Path p, String what) {
    if (!Files.isReadable(p)) {
      throw new IllegalArgumentException(what + ": cannot read " + p);
    }
  }
}
