/**
 * {@link io.reckon.runtime.openai.OpenAiCompatibleProposer}: the proposer interface over a server
 * that speaks the OpenAI completions API (vLLM, SGLang, llama.cpp server).
 */
package io.reckon.runtime.openai;
