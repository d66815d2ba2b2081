package io.weft.codec.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pulls the YAML out of the seed excerpts in {@code src/test/resources/seeds}: whole
 * {@code ```yaml} blocks and blocks whose body starts with {@code apiVersion:}, and — inside shell
 * blocks — every heredoc or transcript section that starts with an {@code apiVersion:} line (up
 * to {@code EOF} or the next {@code $ } prompt).
 */
public final class SeedBlocks {

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(\\S*)\\s*$");

    /** One piece of YAML and where it came from. */
    public record Block(String seed, int line, String yaml) {

        public boolean isCalicoResource() {
            return yaml.contains("apiVersion: projectcalico.org/v3");
        }

        /** The first apiVersion in the block, or a description of what the fragment is. */
        public String what() {
            Matcher m = Pattern.compile("(?m)^\\s*apiVersion:\\s*(\\S+)").matcher(yaml);
            return m.find() ? m.group(1) : "fragment without apiVersion";
        }

        @Override
        public String toString() {
            return seed + " block at line " + line + " (" + what() + ")";
        }
    }

    private SeedBlocks() {
    }

    public static List<Block> of(String seed) {
        List<String> lines = List.of(resource("seeds/" + seed).split("\n", -1));
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher open = FENCE.matcher(lines.get(i));
            if (!open.matches()) {
                continue;
            }
            String indent = open.group(1);
            String lang = open.group(2);
            int start = i + 1;
            int end = start;
            while (!lines.get(end).trim().equals("```")) {
                end++;
            }
            List<String> body = new ArrayList<>();
            for (String line : lines.subList(start, end)) {
                body.add(line.startsWith(indent) ? line.substring(indent.length()) : line);
            }
            String text = String.join("\n", body) + "\n";
            if (lang.equals("yaml") || text.strip().startsWith("apiVersion:")) {
                blocks.add(new Block(seed, start, text));
            } else {
                blocks.addAll(sections(seed, start, body));
            }
            i = end;
        }
        return blocks;
    }

    private static List<Block> sections(String seed, int firstLine, List<String> body) {
        List<Block> out = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            if (!body.get(i).startsWith("apiVersion:")) {
                continue;
            }
            int end = i;
            while (end < body.size() && !body.get(end).equals("EOF") && !body.get(end).startsWith("$ ")) {
                end++;
            }
            out.add(new Block(seed, firstLine + i, String.join("\n", body.subList(i, end)) + "\n"));
            i = end;
        }
        return out;
    }

    static String resource(String name) {
        try (InputStream in = SeedBlocks.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
