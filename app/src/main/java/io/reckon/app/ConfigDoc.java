package io.reckon.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code config/*.conf} say about each setting, read from their text: the key, its default,
 * the {@code RECKON_*} variable that overrides it ({@code key = ${?RECKON_...}}) and the comment
 * above it. HOCON parsers keep no comments, so this reads the files' simple layout (one setting a
 * line, blocks opened by {@code path {} and closed by {@code }}) rather than their full grammar.
 * It feeds the generated configuration reference, {@code reckon config}'s variable names and the
 * type check that names a setting's variable.
 */
final class ConfigDoc {
  /** One setting: its full key, default as written, variable ("" = none), comment ("" = none). */
  record Entry(String key, String value, String env, String comment, String file, int line) {}

  /** A block's comment, e.g. the one above {@code reckon.limits {}. */
  record Block(String path, String comment, String file) {}

  /** A file's settings, blocks, includes and the comment at its top. */
  record FileDoc(String file, String header, List<Entry> entries, List<Block> blocks,
      List<String> includes) {}

  private static final Pattern INCLUDE = Pattern.compile("^include\\s+(?:required\\()?\"([^\"]+)\"\\)?$");
  private static final Pattern OPEN = Pattern.compile("^(\"[^\"]+\"|[A-Za-z0-9_.\\-]+)\\s*\\{$");
  private static final Pattern SETTING =
      Pattern.compile("^(\"[^\"]+\"|[A-Za-z0-9_.\\-]+)\\s*(?:=|:)\\s*(.*)$");
  private static final Pattern ENV = Pattern.compile("^\\$\\{\\?(RECKON_[A-Z0-9_]+)}$");

  private ConfigDoc() {}

  /** The built-in files: application.conf and what it includes, from the classpath. */
  static List<FileDoc> builtIn() {
    List<FileDoc> files = new ArrayList<>();
    FileDoc app = parse("application.conf", resource("application.conf"));
    files.add(app);
    for (String include : app.includes()) {
      String text = resource(include);
      if (text != null) {
        files.add(parse(include, text));
      }
    }
    return files;
  }

  /** Setting key to its variable, over these files. */
  static Map<String, String> variables(List<FileDoc> files) {
    Map<String, String> env = new LinkedHashMap<>();
    for (FileDoc f : files) {
      for (Entry e : f.entries()) {
        if (!e.env().isEmpty()) {
          env.put(e.key(), e.env());
        }
      }
    }
    return env;
  }

  static FileDoc parse(String file, String text) {
    List<Entry> entries = new ArrayList<>();
    List<Block> blocks = new ArrayList<>();
    List<String> includes = new ArrayList<>();
    Map<String, Integer> byKey = new LinkedHashMap<>();
    Deque<String> path = new ArrayDeque<>();
    StringBuilder comment = new StringBuilder();
    String header = null;
    boolean seenCode = false;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.startsWith("#") || line.startsWith("//")) {
        String c = line.startsWith("#") ? line.substring(1) : line.substring(2);
        if (comment.length() > 0) {
          comment.append(' ');
        }
        comment.append(c.strip());
        continue;
      }
      if (line.isEmpty()) {
        if (!seenCode && header == null && comment.length() > 0) {
          header = comment.toString();
        }
        comment.setLength(0);
        continue;
      }
      if (!seenCode && header == null && comment.length() > 0 && !INCLUDE.matcher(line).matches()
          && !OPEN.matcher(line).matches()) {
        // A comment glued to the file's first setting is that setting's, not the file's.
        header = "";
      }
      seenCode = true;
      Matcher m;
      if ((m = INCLUDE.matcher(line)).matches()) {
        if (header == null && comment.length() > 0) {
          header = comment.toString();
        }
        includes.add(m.group(1));
        comment.setLength(0);
      } else if ((m = OPEN.matcher(line)).matches()) {
        if (header == null && comment.length() > 0 && path.isEmpty() && blocks.isEmpty()
            && entries.isEmpty()) {
          // The comment above a file's first block describes the file and the block alike.
          header = comment.toString();
        }
        path.push(join(path.peek(), m.group(1)));
        blocks.add(new Block(path.peek(), comment.toString(), file));
        comment.setLength(0);
      } else if (line.equals("}")) {
        if (!path.isEmpty()) {
          path.pop();
        }
        comment.setLength(0);
      } else if ((m = SETTING.matcher(line)).matches()) {
        String key = join(path.peek(), m.group(1));
        String value = m.group(2).strip();
        Matcher env = ENV.matcher(value);
        Integer at = byKey.get(key);
        if (env.matches() && at != null) {
          Entry e = entries.get(at);
          entries.set(at, new Entry(e.key(), e.value(), env.group(1), e.comment(), e.file(), e.line()));
        } else if (env.matches()) {
          entries.add(new Entry(key, "", env.group(1), comment.toString(), file, i + 1));
          byKey.put(key, entries.size() - 1);
        } else {
          entries.add(new Entry(key, value, "", comment.toString(), file, i + 1));
          byKey.put(key, entries.size() - 1);
        }
        comment.setLength(0);
      } else {
        comment.setLength(0);
      }
    }
    return new FileDoc(file, header == null ? "" : header, entries, blocks, includes);
  }

  private static String join(String prefix, String key) {
    return prefix == null ? key : prefix + "." + key;
  }

  private static String resource(String name) {
    try (InputStream in = ConfigDoc.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
