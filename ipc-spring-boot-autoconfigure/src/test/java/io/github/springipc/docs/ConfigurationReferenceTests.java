package io.github.springipc.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps {@code docs/configuration.md} in sync with {@code IpcProperties}: the reference is
 * generated from the properties' Javadoc (the same text the IDE shows from the metadata). Run
 * with {@code -Dipc.docs.update=true} to rewrite the file after changing a property.
 */
class ConfigurationReferenceTests {

    private static final Path SOURCE = Path.of(
            "src/main/java/io/github/springipc/autoconfigure/IpcProperties.java");

    private static final Path REFERENCE = Path.of("../docs/configuration.md");

    private static final Pattern CLASS_OR_FIELD = Pattern.compile(
            "(public static class (\\w+))|/\\*\\*((?:[^*]|\\*(?!/))*)\\*/\\s*private (?:final )?([\\w<>, .]+) (\\w+)( = ([^;]+))?;");

    private static final Map<String, String> PREFIXES = new LinkedHashMap<>();

    static {
        PREFIXES.put(null, "ipc.");
        PREFIXES.put("Pipe", "ipc.pipes.<name>.");
        PREFIXES.put("SharedMemory", "ipc.shared-memory.<name>.");
        PREFIXES.put("Queue", "ipc.queues.<name>.");
        PREFIXES.put("Listener", "ipc.listener.");
        PREFIXES.put("Retry", "ipc.listener.retry.");
        PREFIXES.put("Template", "ipc.template.");
    }

    @Test
    void referenceMatchesThePropertiesJavadoc() throws IOException {
        String generated = generate(Files.readString(SOURCE, StandardCharsets.UTF_8));
        if (Boolean.getBoolean("ipc.docs.update")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as("docs/configuration.md is out of date: run the tests with -Dipc.docs.update=true")
                .isEqualTo(generated);
    }

    @Test
    void everyPropertyOfTheGeneratedMetadataIsInTheReference() throws IOException {
        String reference = Files.readString(REFERENCE, StandardCharsets.UTF_8);
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            tools.jackson.databind.JsonNode metadata = tools.jackson.databind.json.JsonMapper.builder().build()
                    .readTree(in);
            for (tools.jackson.databind.JsonNode property : metadata.get("properties")) {
                String name = property.get("name").asText();
                if (property.get("type").asText().startsWith("java.util.Map")) {
                    assertThat(reference).contains("`" + name + ".<name>.");
                }
                else {
                    assertThat(reference).contains("`" + name + "`");
                }
            }
        }
    }

    static String generate(String source) {
        StringBuilder md = new StringBuilder();
        md.append("# Configuration reference\n\n");
        md.append("Every `ipc.*` property, generated from `IpcProperties` (the same descriptions your IDE shows).\n");
        md.append("Channel names (`<name>`) become bean names and file names: 1–64 letters, digits, `.`, `_`, `-`,\n");
        md.append("starting with a letter or digit.\n");
        md.append("Invalid values fail start-up with a message naming the property.\n");
        String currentClass = null;
        boolean tableOpen = false;
        Matcher matcher = CLASS_OR_FIELD.matcher(source);
        while (matcher.find()) {
            if (matcher.group(2) != null) {
                currentClass = matcher.group(2);
                tableOpen = false;
                continue;
            }
            String type = matcher.group(4).trim();
            if (type.startsWith("Map<") || !PREFIXES.containsKey(currentClass)) {
                continue;
            }
            if (!tableOpen) {
                md.append("\n## `").append(PREFIXES.get(currentClass)).append("*`\n\n");
                md.append("| property | type | default | description |\n|---|---|---|---|\n");
                tableOpen = true;
            }
            String javadoc = matcher.group(3).lines().map(line -> line.strip().replaceFirst("^\\*\\s?", ""))
                    .filter(line -> !line.isEmpty()).reduce((a, b) -> a + " " + b).orElse("").strip();
            md.append("| `").append(PREFIXES.get(currentClass)).append(kebab(matcher.group(5))).append("` | ")
                    .append(simpleType(type)).append(" | ").append(defaultValue(matcher.group(7))).append(" | ")
                    .append(javadoc.replace("|", "\\|")).append(" |\n");
        }
        md.append("\n## Related\n\n| property | default | description |\n|---|---|---|\n");
        md.append("| `management.health.ipc.enabled` | `true` | Whether the `ipc` health contributor (one entry per channel) is registered. |\n");
        md.append("| `spring.threads.virtual.enabled` | `false` | On JDK 21+, listener threads are virtual threads when true. |\n");
        return md.toString();
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
    }

    private static String simpleType(String type) {
        return switch (type) {
            case "DataSize" -> "size (`64KB`, `8MB`)";
            case "Duration" -> "duration (`500ms`, `10s`)";
            case "Path" -> "path";
            case "List<String>" -> "list of strings";
            case "PipeRole" -> "`auto`, `bind`, `connect`";
            case "PipeWireFormat" -> "`envelope`, `raw`";
            case "WaitStrategy" -> "`blocking`, `busy-spin`";
            default -> type;
        };
    }

    private static String defaultValue(String expression) {
        if (expression == null) {
            return "none";
        }
        String e = expression.strip();
        Matcher call = Pattern.compile("(Duration|DataSize)\\.of(\\w+)\\((\\d+)\\)").matcher(e);
        if (call.matches()) {
            String unit = switch (call.group(2)) {
                case "Nanos" -> "ns";
                case "Millis" -> "ms";
                case "Seconds" -> "s";
                case "Minutes" -> "m";
                case "Bytes" -> "B";
                case "Kilobytes" -> "KB";
                case "Megabytes" -> "MB";
                case "Gigabytes" -> "GB";
                default -> call.group(2);
            };
            return "`" + call.group(3) + unit + "`";
        }
        if (e.startsWith("new ")) {
            return "empty";
        }
        if (e.matches("\\w+\\.[A-Z_]+")) {
            return "`" + e.substring(e.indexOf('.') + 1).toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "`";
        }
        return "`" + e.replace("\"", "") + "`";
    }
}
