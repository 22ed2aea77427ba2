package io.reckon.server;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** HTTPS for {@code reckon serve}: the server's key and certificate from a PKCS#12 keystore. */
final class Tls {
  private Tls() {}

  /**
   * The TLS context of {@code reckon.serve.tls}; a keystore that cannot be read is an
   * IllegalArgumentException with one line saying which and why (docs/security.md makes one).
   */
  static SSLContext context(WebSettings web) {
    char[] password = web.keystorePassword().toCharArray();
    try (InputStream in = Files.newInputStream(web.keystore())) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password);
      KeyManagerFactory keys = KeyManagerFactory.getInstance(
          KeyManagerFactory.getDefaultAlgorithm());
      keys.init(store, password);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      String why = e.getCause() instanceof java.security.UnrecoverableKeyException
          || e.getMessage() != null && e.getMessage().contains("password")
          ? "wrong password (reckon.serve.tls.password, env RECKON_TLS_PASSWORD)"
          : e instanceof java.nio.file.NoSuchFileException ? "no such file"
          : e.getClass().getSimpleName() + ": " + e.getMessage();
      throw new IllegalArgumentException("reckon.serve.tls.keystore " + web.keystore()
          + " cannot be used: " + why);
    }
  }
}
