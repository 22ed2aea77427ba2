package io.reckon.app;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Gives every test class its own run store: {@code reckon.store.dir} (the surefire default,
 * {@code target/test-store}) becomes {@code target/test-store/<TestClass>} while the class runs.
 * One H2 file shared by the classes of a fork was how a CI run met H2's "Double mark" corruption:
 * a class that killed a process holding the file left it to the next class half-written. Loaded
 * for every class by JUnit's extension auto-detection (junit-platform.properties).
 */
public final class StorePerClass implements BeforeAllCallback, AfterAllCallback {
  private static final String KEY = "reckon.store.dir";
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(StorePerClass.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    String before = System.getProperty(KEY);
    context.getStore(NS).put("before", before == null ? "" : before);
    Path base = Path.of(before == null || before.isBlank() ? "target/test-store" : before);
    System.setProperty(KEY, base.resolve(context.getRequiredTestClass().getSimpleName())
        .toString());
    // ConfigFactory.load() caches the system properties it read.
    com.typesafe.config.ConfigFactory.invalidateCaches();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    String before = context.getStore(NS).get("before", String.class);
    if (before == null || before.isEmpty()) {
      System.clearProperty(KEY);
    } else {
      System.setProperty(KEY, before);
    }
    com.typesafe.config.ConfigFactory.invalidateCaches();
  }
}
