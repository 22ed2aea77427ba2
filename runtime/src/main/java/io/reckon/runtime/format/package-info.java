/**
 * Model formats: chat templates (Jinja, rendered with jinjava), a task's prompt rendered for a
 * model family, and what a Hugging Face model folder says about its template and stop tokens.
 */
package io.reckon.runtime.format;
