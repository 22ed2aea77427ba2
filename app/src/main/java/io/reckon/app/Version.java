package io.reckon.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/**
 * What {@code --version} prints on every command: Reckon's version, the commit and date it was
 * built from (written into {@code build.properties} by the build), and the versions of the two
 * runtimes whose behaviour a bug report most often depends on.
 */
final class Version implements CommandLine.IVersionProvider {
  private static final String RESOURCE = "/io/reckon/app/build.properties";

  @Override
  public String[] getVersion() {
    Properties p = build();
    return new String[] {
        "reckon " + p.getProperty("version", "unknown"),
        "commit " + p.getProperty("commit", "unknown") + ", built " + p.getProperty("built", "unknown"),
        "Apache Pekko " + pekko() + ", ONNX Runtime " + p.getProperty("onnxruntime", "unknown")
            + ", Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
  }

  /** Reckon's own version, e.g. 0.1.0-SNAPSHOT ("unknown" when run from classes without a build). */
  static String reckon() {
    return build().getProperty("version", "unknown");
  }

  static Properties build() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p;
  }

  private static String pekko() {
    // The running Pekko, not the one we compiled against: a mixed classpath shows up here.
    return org.apache.pekko.Version.current();
  }
}
