package io.reckon.runtime.onnx;

import io.reckon.runtime.SettingValues;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How an ONNX model runs: read once from configuration (the app maps its HOCON section onto
 * {@link #fromMap}), so that runtime needs no configuration library.
 *
 * @param intraOpThreads threads ONNX Runtime uses inside one operator; {@code 0} lets it choose
 * @param device {@code cpu} or {@code cuda:N}
 * @param maxNewTokens tokens a row may generate per request before it is cut off
 * @param topP nucleus sampling mass in (0, 1]; {@code 1} samples from the whole distribution
 * @param maxBatchRows rows (request × sample) decoded together; more rows wait and join the
 *     running batch as others finish, so that the KV cache and the prefill logits stay bounded
 * @param prefixCacheBytes budget of the proposer's prefix KV cache ({@link PrefixCache}); 0 turns
 *     it off (every row then prefills its whole prompt)
 */
public record OnnxSettings(
    int intraOpThreads, String device, int maxNewTokens, double topP, int maxBatchRows,
    long prefixCacheBytes) {

  public static final OnnxSettings DEFAULT = new OnnxSettings(0, "cpu", 256, 1.0, 64, 128L << 20);

  private static final Pattern CUDA = Pattern.compile("cuda(?::(\\d+))?");

  public OnnxSettings {
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intra-op-threads must be >= 0 (0 = ONNX Runtime chooses), was " + intraOpThreads);
    }
    if (device == null) {
      throw new IllegalArgumentException("device must be cpu or cuda:N, was null");
    }
    device = device.strip().toLowerCase(Locale.ROOT);
    if (!device.equals("cpu") && !CUDA.matcher(device).matches()) {
      throw new IllegalArgumentException("device must be cpu or cuda:N (N = GPU index), was '" + device + "'");
    }
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("max-new-tokens must be >= 1, was " + maxNewTokens);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("top-p must be in (0, 1], was " + topP);
    }
    if (maxBatchRows < 1) {
      throw new IllegalArgumentException("max-batch-rows must be >= 1, was " + maxBatchRows);
    }
    if (prefixCacheBytes < 0) {
      throw new IllegalArgumentException(
          "prefix-cache-mb must be >= 0 (0 = no prefix cache), was " + (prefixCacheBytes >> 20));
    }
  }

  public boolean isCuda() {
    return !device.equals("cpu");
  }

  /** The GPU index of {@code cuda:N} ({@code cuda} alone means 0); -1 for the CPU. */
  public int cudaDeviceId() {
    Matcher m = CUDA.matcher(device);
    if (!m.matches()) {
      return -1;
    }
    return m.group(1) == null ? 0 : Integer.parseInt(m.group(1));
  }

  public OnnxSettings withDevice(String newDevice) {
    return new OnnxSettings(intraOpThreads, newDevice, maxNewTokens, topP, maxBatchRows, prefixCacheBytes);
  }

  public OnnxSettings withMaxNewTokens(int tokens) {
    return new OnnxSettings(intraOpThreads, device, tokens, topP, maxBatchRows, prefixCacheBytes);
  }

  public OnnxSettings withTopP(double p) {
    return new OnnxSettings(intraOpThreads, device, maxNewTokens, p, maxBatchRows, prefixCacheBytes);
  }

  public OnnxSettings withIntraOpThreads(int threads) {
    return new OnnxSettings(threads, device, maxNewTokens, topP, maxBatchRows, prefixCacheBytes);
  }

  public OnnxSettings withMaxBatchRows(int rows) {
    return new OnnxSettings(intraOpThreads, device, maxNewTokens, topP, rows, prefixCacheBytes);
  }

  public OnnxSettings withPrefixCacheBytes(long bytes) {
    return new OnnxSettings(intraOpThreads, device, maxNewTokens, topP, maxBatchRows, bytes);
  }

  /**
   * Reads settings from plain values, as a configuration library hands them over (numbers may
   * arrive as strings from environment overrides). Keys, all optional, defaults from {@link
   * #DEFAULT}: {@code intra-op-threads}, {@code device}, {@code max-new-tokens}, {@code top-p},
   * {@code max-batch-rows}, {@code prefix-cache-mb} (MiB); camelCase spellings are accepted too. Unknown keys are rejected so
   * that a typo does not silently run with a default.
   */
  public static OnnxSettings fromMap(Map<String, ?> values) {
    OnnxSettings d = DEFAULT;
    int threads = d.intraOpThreads;
    String device = d.device;
    int maxNew = d.maxNewTokens;
    double topP = d.topP;
    int rows = d.maxBatchRows;
    long cacheBytes = d.prefixCacheBytes;
    for (Map.Entry<String, ?> e : values.entrySet()) {
      String key = e.getKey();
      Object v = e.getValue();
      switch (normalize(key)) {
        case "intraopthreads" -> threads = intValue(key, v);
        case "device" -> device = String.valueOf(v);
        case "maxnewtokens" -> maxNew = intValue(key, v);
        case "topp" -> topP = doubleValue(key, v);
        case "maxbatchrows" -> rows = intValue(key, v);
        case "prefixcachemb" -> cacheBytes = ((long) intValue(key, v)) << 20;
        default -> throw new IllegalArgumentException(
            "unknown ONNX setting '" + key + "' (known: intra-op-threads, device, max-new-tokens, "
                + "top-p, max-batch-rows, prefix-cache-mb)");
      }
    }
    return new OnnxSettings(threads, device, maxNew, topP, rows, cacheBytes);
  }

  private static String normalize(String key) {
    return SettingValues.normalize(key);
  }

  private static int intValue(String key, Object v) {
    return (int) SettingValues.integer("ONNX", key, v);
  }

  private static double doubleValue(String key, Object v) {
    return SettingValues.number("ONNX", key, v);
  }
}
