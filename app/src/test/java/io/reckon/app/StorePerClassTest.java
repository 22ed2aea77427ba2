package io.reckon.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Test hygiene: no two test classes share an H2 store file. */
class StorePerClassTest {
  @Test
  void thisClassHasAStoreOfItsOwn() {
    assertThat(System.getProperty("reckon.store.dir")).endsWith("StorePerClassTest");
  }
}
