package io.reckon.actors.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.typesafe.config.ConfigFactory;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening the journal's store: schema on first use, and one clear line for every fault. */
class RunStoreTest {
  @TempDir Path dir;

  private StoreSettings h2() {
    return StoreSettings.from(ConfigFactory.load()).withDir(dir.resolve("store"));
  }

  private static void assertOneLine(RunStore.StoreException e, int status, String... fragments) {
    assertThat(e.exitStatus()).isEqualTo(status);
    assertThat(e.getMessage()).doesNotContain("\n");
    for (String f : fragments) {
      assertThat(e.getMessage()).contains(f);
    }
  }

  @Test
  void theSchemaIsCreatedOnFirstUseAndAgainIsHarmless() throws Exception {
    StoreSettings store = h2();
    RunStore.prepare(store);
    RunStore.prepare(store); // every start runs it
    assertThat(store.dir().resolve("reckon.mv.db")).exists();
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), "", "");
        Statement s = c.createStatement()) {
      s.executeQuery("SELECT count(*) FROM \"event_journal\"").close();
      s.executeQuery("SELECT count(*) FROM \"snapshot\"").close();
    }
  }

  @Test
  void aCorruptStoreFileIsOneLineAndExitStatusTwo() throws Exception {
    StoreSettings store = h2();
    Files.createDirectories(store.dir());
    byte[] junk = "this is not an H2 database\n".repeat(400).getBytes(StandardCharsets.UTF_8);
    Files.write(store.dir().resolve("reckon.mv.db"), junk);
    RunStore.StoreException e = catchThrowableOfType(
        RunStore.StoreException.class, () -> RunStore.prepare(store));
    assertOneLine(e, 2, "reckon.mv.db", "damaged");
  }

  @Test
  void aStoreLockedByAnotherProcessIsOneLineAndExitStatusTwo() throws Exception {
    StoreSettings store = h2();
    RunStore.prepare(store);
    // Another process holding the file: an exclusive OS lock on it (as H2 itself takes one).
    Path file = store.dir().resolve("reckon.mv.db");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE);
        FileLock lock = ch.lock()) {
      assertThat(lock.isValid()).isTrue();
      RunStore.StoreException e = catchThrowableOfType(
          RunStore.StoreException.class, () -> RunStore.prepare(store));
      assertThat(e).as("locked store must fail").isNotNull();
      assertThat(e.exitStatus()).isEqualTo(2);
      assertThat(e.getMessage()).doesNotContain("\n").contains("reckon.mv.db", "locked");
    }
  }

  @Test
  void journalTablesOfAnotherLayoutAreRefused() throws Exception {
    StoreSettings store = h2();
    Files.createDirectories(store.dir());
    try (Connection c = DriverManager.getConnection(store.jdbcUrl(), "", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE \"event_journal\" (\"id\" BIGINT, \"message\" BLOB)");
    }
    RunStore.StoreException e = catchThrowableOfType(
        RunStore.StoreException.class, () -> RunStore.prepare(store));
    assertOneLine(e, 2, "another layout", "pekko-persistence-jdbc");
  }

  @Test
  void anUnreachablePostgresIsOneLineAndExitStatusOne() {
    StoreSettings store = new StoreSettings(StoreSettings.Kind.POSTGRES, dir,
        "jdbc:postgresql://127.0.0.1:1/reckon", "reckon", "secret", Duration.ofSeconds(2), 100, 64);
    RunStore.StoreException e = catchThrowableOfType(
        RunStore.StoreException.class, () -> RunStore.prepare(store));
    assertOneLine(e, 1, "cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:1/reckon");
    assertThat(e.getMessage()).doesNotContain("secret");
  }

  @Test
  void aPostgresStoreNeedsAPostgresUrl() {
    assertThatThrownBy(() -> StoreSettings.from(ConfigFactory.parseString(
        "reckon.store.kind = postgres").withFallback(ConfigFactory.load()).resolve()))
        .hasMessageContaining("reckon.store.url").hasMessageContaining("RECKON_STORE_URL");
    assertThatThrownBy(() -> StoreSettings.from(ConfigFactory.parseString(
        "reckon.store.kind = mysql").withFallback(ConfigFactory.load()).resolve()))
        .hasMessageContaining("allowed are h2, postgres");
  }
}
