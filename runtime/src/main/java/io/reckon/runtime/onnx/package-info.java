/**
 * ONNX Runtime backends: {@link io.reckon.runtime.onnx.OnnxCausalLm} (a policy, batched
 * generation against the KV cache) and {@link io.reckon.runtime.onnx.OnnxPrm} (a process reward
 * model), loaded through {@link io.reckon.runtime.onnx.OnnxModels} from a folder with {@code
 * model.onnx}, {@code tokenizer.json} and {@code config.json}.
 *
 * <p>Devices: the default build uses the CPU artifact of ONNX Runtime, which runs {@code device =
 * cpu} only and refuses {@code cuda:N} at load time. {@code mvn -Pcuda ...} builds against {@code
 * onnxruntime_gpu} instead (same API; it needs CUDA 12 and cuDNN 9 on the library path), where
 * {@code device = cuda:N} registers the CUDA execution provider on GPU N, and a missing GPU or
 * library is again an error at load time, never a silent run on the CPU.
 */
package io.reckon.runtime.onnx;
