import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.io.PrintWriter;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs an ONNX model through ONNX Runtime (Java) on cases written by models/check.py and
 * writes the outputs, so that the recipe can compare ORT logits with PyTorch's.
 *
 * Usage: java -cp onnxruntime-1.29.0.jar OrtCheck.java model.onnx cases.txt out.txt
 *
 * cases.txt is whitespace separated:
 *   full NAME NINPUTS {INPUTNAME int64|float32 RANK DIMS... VALUES...}*   -> writes every output
 *   kv NAME LAYERS HEADS HEAD_DIM PREFIX N ID_1..ID_N   -> prefix with an empty past, then one
 *      token per call feeding present.* back as past_key_values.*; writes kv_logits [N-PREFIX+1, V]
 *      (the last-position logits of every call).
 * out.txt: "NAME OUTPUTNAME RANK DIMS... VALUES..." one line per output.
 */
public class OrtCheck {
    public static void main(String[] args) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(args[0], new OrtSession.SessionOptions());
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(args[2])))) {
            List<String> toks = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of(args[1]))) {
                for (String t : line.trim().split("\\s+")) {
                    if (!t.isEmpty()) {
                        toks.add(t);
                    }
                }
            }
            Iterator<String> it = toks.iterator();
            while (it.hasNext()) {
                String kind = it.next();
                String name = it.next();
                if (kind.equals("full")) {
                    int n = Integer.parseInt(it.next());
                    Map<String, OnnxTensor> in = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String iname = it.next();
                        String type = it.next();
                        int rank = Integer.parseInt(it.next());
                        long[] shape = new long[rank];
                        long size = 1;
                        for (int r = 0; r < rank; r++) {
                            shape[r] = Long.parseLong(it.next());
                            size *= shape[r];
                        }
                        if (type.equals("int64")) {
                            long[] v = new long[(int) size];
                            for (int k = 0; k < size; k++) {
                                v[k] = Long.parseLong(it.next());
                            }
                            in.put(iname, OnnxTensor.createTensor(env, LongBuffer.wrap(v), shape));
                        } else {
                            float[] v = new float[(int) size];
                            for (int k = 0; k < size; k++) {
                                v[k] = Float.parseFloat(it.next());
                            }
                            in.put(iname, OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape));
                        }
                    }
                    try (OrtSession.Result res = s.run(in)) {
                        for (Map.Entry<String, ai.onnxruntime.OnnxValue> e : res) {
                            OnnxTensor t = (OnnxTensor) e.getValue();
                            write(out, name, e.getKey(), t.getInfo().getShape(), t.getFloatBuffer());
                        }
                    }
                    in.values().forEach(OnnxTensor::close);
                } else if (kind.equals("kv")) {
                    int layers = Integer.parseInt(it.next());
                    int heads = Integer.parseInt(it.next());
                    int hd = Integer.parseInt(it.next());
                    int prefix = Integer.parseInt(it.next());
                    int n = Integer.parseInt(it.next());
                    long[] ids = new long[n];
                    for (int k = 0; k < n; k++) {
                        ids[k] = Long.parseLong(it.next());
                    }
                    Map<String, OnnxTensor> past = new LinkedHashMap<>();
                    for (int l = 0; l < layers; l++) {
                        past.put("past_key_values." + l + ".key",
                                OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, heads, 0, hd}));
                        past.put("past_key_values." + l + ".value",
                                OnnxTensor.createTensor(env, FloatBuffer.allocate(0), new long[] {1, heads, 0, hd}));
                    }
                    List<float[]> rows = new ArrayList<>();
                    int done = 0;
                    int vocab = 0;
                    while (done < n) {
                        int len = done == 0 ? prefix : 1;
                        long[] chunk = new long[len];
                        long[] pos = new long[len];
                        for (int k = 0; k < len; k++) {
                            chunk[k] = ids[done + k];
                            pos[k] = done + k;
                        }
                        long[] mask = new long[done + len];
                        java.util.Arrays.fill(mask, 1L);
                        Map<String, OnnxTensor> in = new LinkedHashMap<>();
                        in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(chunk), new long[] {1, len}));
                        in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), new long[] {1, done + len}));
                        in.put("position_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(pos), new long[] {1, len}));
                        in.putAll(past);
                        Map<String, OnnxTensor> next = new LinkedHashMap<>();
                        try (OrtSession.Result res = s.run(in)) {
                            OnnxTensor logits = (OnnxTensor) res.get("logits").get();
                            long[] sh = logits.getInfo().getShape();
                            vocab = (int) sh[2];
                            FloatBuffer fb = logits.getFloatBuffer();
                            float[] last = new float[vocab];
                            fb.position((len - 1) * vocab);
                            fb.get(last);
                            rows.add(last);
                            for (int l = 0; l < layers; l++) {
                                for (String kvn : new String[] {"key", "value"}) {
                                    OnnxTensor p = (OnnxTensor) res.get("present." + l + "." + kvn).get();
                                    FloatBuffer pb = p.getFloatBuffer();
                                    next.put("past_key_values." + l + "." + kvn,
                                            OnnxTensor.createTensor(env, pb, p.getInfo().getShape()));
                                }
                            }
                        }
                        in.values().forEach(OnnxTensor::close);
                        past = next;
                        done += len;
                    }
                    FloatBuffer all = FloatBuffer.allocate(rows.size() * vocab);
                    rows.forEach(all::put);
                    all.flip();
                    write(out, name, "kv_logits", new long[] {rows.size(), vocab}, all);
                    past.values().forEach(OnnxTensor::close);
                } else {
                    throw new IllegalArgumentException("unknown case kind " + kind);
                }
            }
        }
    }

    private static void write(PrintWriter out, String name, String output, long[] shape, FloatBuffer data) {
        StringBuilder sb = new StringBuilder();
        sb.append(name).append(' ').append(output).append(' ').append(shape.length);
        for (long d : shape) {
            sb.append(' ').append(d);
        }
        data.rewind();
        while (data.hasRemaining()) {
            sb.append(' ').append(String.format(Locale.ROOT, "%.7g", data.get()));
        }
        out.println(sb);
    }
}
