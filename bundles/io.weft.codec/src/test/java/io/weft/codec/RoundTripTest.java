package io.weft.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.weft.api.model.IPPool;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.codec.internal.JacksonResourceCodec;

/** read(write(r)) == r for one fully populated example of every kind, through YAML, JSON and stored bytes. */
class RoundTripTest {

    private final JacksonResourceCodec codec = new JacksonResourceCodec();

    @Test
    void examplesAreValidAndAlreadyDefaulted() {
        for (Resource r : Examples.all()) {
            assertEquals(List.of(), ResourceValidator.problems(r));
            assertEquals(r, Defaults.apply(r), "defaults change " + r.name());
        }
    }

    @Test
    void examplesCoverEveryKindAndEveryField() {
        List<Resource> all = Examples.all();
        assertEquals(Set.copyOf(ResourceKind.all()), all.stream().map(Resource::kind).collect(Collectors.toSet()));
        Set<String> expected = new TreeSet<>();
        for (ResourceKind<?> kind : ResourceKind.all()) {
            components(kind.type(), expected, new LinkedHashSet<>());
        }
        Set<String> covered = new TreeSet<>();
        for (Resource r : all) {
            cover(r, covered);
        }
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(covered);
        assertEquals(Set.of(), missing, "model fields no example sets (to a non-zero value)");
    }

    @Test
    void everyKindRoundTripsThroughYaml() throws InvalidResourceException {
        for (Resource r : Examples.all()) {
            String yaml = codec.writeYaml(List.of(r));
            assertEquals(List.of(r), codec.read(yaml), yaml);
        }
    }

    @Test
    void everyKindRoundTripsThroughJson() throws InvalidResourceException {
        for (Resource r : Examples.all()) {
            String json = codec.writeJson(List.of(r));
            assertEquals(List.of(r), codec.read(json), json);
        }
    }

    @Test
    void everyKindRoundTripsThroughStoredBytes() throws InvalidResourceException {
        for (Resource r : Examples.all()) {
            assertEquals(r, codec.fromStoredBytes(codec.toStoredBytes(r)));
        }
    }

    @Test
    void allKindsTogetherRoundTripAsOneList() throws InvalidResourceException {
        List<Resource> all = Examples.all();
        String yaml = codec.writeYaml(all);
        assertTrue(yaml.contains("\nkind: List\n"), yaml);
        assertEquals(all, codec.read(yaml));
        assertEquals(all, codec.read(codec.writeJson(all)));
    }

    @Test
    void resourcesOfOneKindRoundTripAsATypedList() throws InvalidResourceException {
        List<Resource> pools = Examples.all().stream().filter(r -> r instanceof IPPool).collect(Collectors.toList());
        String yaml = codec.writeYaml(pools);
        assertTrue(yaml.contains("\nkind: IPPoolList\nmetadata:\n  resourceVersion: \"1234\"\n"), yaml);
        assertEquals(pools, codec.read(yaml));
    }

    // ---- coverage: every record component of the model, set in at least one example

    private static void components(Class<?> type, Set<String> out, Set<Class<?>> seen) {
        if (!type.isRecord() || !seen.add(type)) {
            return;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            out.add(type.getSimpleName() + "." + c.getName());
            for (Class<?> inner : classesIn(c.getGenericType())) {
                components(inner, out, seen);
            }
        }
    }

    private static List<Class<?>> classesIn(Type type) {
        List<Class<?>> out = new ArrayList<>();
        if (type instanceof Class<?> c) {
            out.add(c);
        } else if (type instanceof ParameterizedType p) {
            for (Type arg : p.getActualTypeArguments()) {
                out.addAll(classesIn(arg));
            }
        }
        return out;
    }

    private static void cover(Object value, Set<String> covered) {
        if (value instanceof Collection<?> c) {
            c.forEach(v -> cover(v, covered));
            return;
        }
        if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> cover(v, covered));
            return;
        }
        if (value == null || !value.getClass().isRecord()) {
            return;
        }
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            if (isSet(v, c.getType().isPrimitive())) {
                covered.add(value.getClass().getSimpleName() + "." + c.getName());
            }
            cover(v, covered);
        }
    }

    /** Set means: not null, not empty, true for booleans, non-zero for primitive numbers. */
    private static boolean isSet(Object v, boolean primitive) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return !primitive || b;
        }
        if (v instanceof Number n && primitive) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return v instanceof Number || v instanceof Enum<?> || v instanceof Duration || v instanceof Instant
                || v.getClass().isRecord();
    }
}
