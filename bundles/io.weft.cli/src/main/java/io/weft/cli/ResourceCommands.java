package io.weft.cli;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.weft.api.datastore.DatastoreException;
import io.weft.api.model.BGPConfiguration;
import io.weft.api.model.Resource;
import io.weft.api.model.ResourceKind;
import io.weft.api.resource.InvalidResourceException;
import io.weft.api.resource.ResourceCodec;
import io.weft.api.resource.ResourceStore;

/**
 * calicoctl's resource verbs over a {@link ResourceStore}, producing calicoctl's messages and
 * exit codes. Front ends (console commands, weftctl) parse flags and print the {@link Outcome}.
 * Each verb validates all input before it writes anything, and reports exactly how far a
 * multi-resource request got.
 */
public final class ResourceCommands {

    /** What a verb printed and its exit code (0 success, 1 failure). */
    public record Outcome(int exitCode, String out, String err) {
        static Outcome ok(String out) {
            return new Outcome(0, out, "");
        }

        static Outcome fail(String err) {
            return new Outcome(1, "", err.endsWith("\n") ? err : err + "\n");
        }
    }

    /** Calico's default AS when no BGPConfiguration sets one. */
    static final long DEFAULT_AS = 64512;

    private final ResourceStore store;
    private final ResourceCodec codec;
    private final ObjectMapper json = new ObjectMapper();

    public ResourceCommands(ResourceStore store, ResourceCodec codec) {
        this.store = store;
        this.codec = codec;
    }

    private interface Writer {
        Resource write(Resource r) throws DatastoreException, InvalidResourceException;
    }

    private Outcome writeAll(String text, String verb, String past, Writer writer, boolean skipErrors) {
        List<Resource> resources;
        try {
            resources = codec.read(text);
        } catch (InvalidResourceException e) {
            return Outcome.fail("Failed to execute command: " + e.getMessage());
        }
        if (resources.isEmpty()) {
            return Outcome.fail("Failed to execute command: no resources specified in the input");
        }
        String kind = kindOf(resources);
        int done = 0;
        int skipped = 0;
        for (Resource r : resources) {
            try {
                writer.write(r);
                done++;
            } catch (DatastoreException | InvalidResourceException | IllegalArgumentException e) {
                if (skipErrors) {
                    skipped++;
                    continue;
                }
                if (done == 0) {
                    return Outcome.fail("Failed to " + verb + " '" + kind + "' resource: [" + e.getMessage() + "]");
                }
                return new Outcome(1, "", "Partial success: " + past + " the first " + done + " out of "
                        + resources.size() + " '" + kind + "' resources:\nHit error: " + e.getMessage() + "\n");
            }
        }
        String msg = "Successfully " + past + " " + done + " '" + kind + "' resource(s)\n";
        if (skipped > 0) {
            msg += "Skipped " + skipped + " resource(s) that " + (verb.equals("create") ? "already exist" : "do not exist") + "\n";
        }
        return Outcome.ok(msg);
    }

    private static String kindOf(List<? extends Resource> resources) {
        String kind = resources.get(0).kind().kind();
        for (Resource r : resources) {
            if (!r.kind().kind().equals(kind)) {
                return "List";
            }
        }
        return kind;
    }

    /** {@code create -f}: fails on the first resource that exists, unless {@code skipExists}. */
    public Outcome create(String text, boolean skipExists) {
        return writeAll(text, "create", "created", store::create, skipExists);
    }

    /** {@code apply -f}: creates or replaces. */
    public Outcome apply(String text) {
        return writeAll(text, "apply", "applied", store::apply, false);
    }

    /** {@code replace -f}: the resources must exist; a resourceVersion in the input makes it a compare-and-swap. */
    public Outcome replace(String text) {
        return writeAll(text, "replace", "replaced", store::update, false);
    }

    /** {@code delete -f}. */
    public Outcome deleteFromText(String text, boolean skipNotExists) {
        return writeAll(text, "delete", "deleted",
                r -> store.delete(r.kind(), namespaceFor(r.kind(), r.metadata().namespace()), r.name()), skipNotExists);
    }

    /** {@code delete KIND NAME…}. */
    public Outcome delete(String kindName, List<String> names, String namespace, boolean skipNotExists) {
        Optional<ResourceKind<?>> kind = ResourceKind.byName(kindName);
        if (kind.isEmpty()) {
            return unknownKind(kindName);
        }
        if (names.isEmpty()) {
            return Outcome.fail("Failed to execute command: name the " + kind.get().kind() + " to delete");
        }
        int done = 0;
        for (String name : names) {
            try {
                store.delete(kind.get(), namespaceFor(kind.get(), namespace), name);
                done++;
            } catch (DatastoreException | IllegalArgumentException e) {
                if (skipNotExists && e instanceof io.weft.api.datastore.KeyNotFoundException) {
                    continue;
                }
                return done == 0 ? Outcome.fail("Failed to delete '" + kind.get().kind() + "' resource: [" + e.getMessage() + "]")
                        : new Outcome(1, "", "Partial success: deleted the first " + done + " out of " + names.size()
                                + " '" + kind.get().kind() + "' resources:\nHit error: " + e.getMessage() + "\n");
            }
        }
        return Outcome.ok("Successfully deleted " + done + " '" + kind.get().kind() + "' resource(s)\n");
    }

    /**
     * {@code get KIND [NAME…] [-n NS | -A] [-o ps|wide|yaml|json]}.
     */
    public Outcome get(String kindName, List<String> names, String namespace, boolean allNamespaces, String output) {
        Optional<ResourceKind<?>> found = ResourceKind.byName(kindName);
        if (found.isEmpty()) {
            return unknownKind(kindName);
        }
        ResourceKind<?> kind = found.get();
        String format = output == null || output.isEmpty() ? "ps" : output;
        if (!List.of("ps", "wide", "yaml", "json").contains(format)) {
            return Outcome.fail("Failed to execute command: unknown output format '" + format
                    + "'; use one of ps, wide, yaml, json");
        }
        String ns = allNamespaces ? null : namespaceFor(kind, namespace);
        List<Resource> resources = new ArrayList<>();
        try {
            if (names.isEmpty()) {
                resources.addAll(kind.namespaced() ? store.list(kind, ns) : store.list(kind, null));
            } else {
                for (String name : names) {
                    Optional<? extends Resource> r = store.get(kind, ns == null ? "default" : ns, name);
                    if (r.isEmpty()) {
                        return Outcome.fail("Failed to get resources: resource does not exist: " + kind.kind() + "("
                                + (kind.namespaced() ? (ns == null ? "default" : ns) + "/" : "") + name + ")");
                    }
                    resources.add(r.get());
                }
            }
            return switch (format) {
                case "yaml" -> Outcome.ok(resources.isEmpty() && !names.isEmpty() ? "" : codec.writeYaml(resources));
                case "json" -> Outcome.ok(codec.writeJson(resources));
                default -> Outcome.ok(ResourceTables.render(resources, kind.kind(), format.equals("wide"),
                        kind.namespaced() && allNamespaces, globalAs()));
            };
        } catch (DatastoreException | IllegalArgumentException e) {
            return Outcome.fail("Failed to get resources: " + e.getMessage());
        }
    }

    private long globalAs() throws DatastoreException {
        Optional<BGPConfiguration> config = store.get(ResourceKind.BGP_CONFIGURATION, null, "default");
        return config.map(c -> c.spec().asNumber()).filter(a -> a != null).orElse(DEFAULT_AS);
    }

    /** {@code patch KIND NAME -p JSON}: a JSON merge patch (RFC 7386) of the resource. */
    public Outcome patch(String kindName, String name, String namespace, String patch) {
        Optional<ResourceKind<?>> found = ResourceKind.byName(kindName);
        if (found.isEmpty()) {
            return unknownKind(kindName);
        }
        ResourceKind<?> kind = found.get();
        JsonNode patchTree;
        try {
            patchTree = json.readTree(patch);
        } catch (JsonProcessingException e) {
            return Outcome.fail("Failed to patch '" + kind.kind() + "' resource: [patch is not valid JSON: "
                    + e.getOriginalMessage() + "]");
        }
        if (!patchTree.isObject()) {
            return Outcome.fail("Failed to patch '" + kind.kind() + "' resource: [patch must be a JSON object]");
        }
        try {
            Resource current = store.get(kind, namespaceFor(kind, namespace), name).orElse(null);
            if (current == null) {
                return Outcome.fail("Failed to patch '" + kind.kind() + "' resource: [resource does not exist: "
                        + kind.kind() + "(" + name + ")]");
            }
            ObjectNode tree = (ObjectNode) json.readTree(codec.writeJson(List.of(current)));
            merge(tree, patchTree);
            JsonNode meta = tree.path("metadata");
            if (!name.equals(meta.path("name").asText()) || !kind.kind().equals(tree.path("kind").asText())) {
                return Outcome.fail("Failed to patch '" + kind.kind() + "' resource: [a patch cannot change kind or metadata.name]");
            }
            List<Resource> patched = codec.read(json.writeValueAsString(tree));
            store.update(patched.get(0));
            return Outcome.ok("Successfully patched 1 '" + kind.kind() + "' resource\n");
        } catch (DatastoreException | InvalidResourceException | JsonProcessingException | IllegalArgumentException e) {
            return Outcome.fail("Failed to patch '" + kind.kind() + "' resource: [" + e.getMessage() + "]");
        }
    }

    /** RFC 7386: objects merge recursively, null removes, anything else replaces. */
    static void merge(ObjectNode target, JsonNode patch) {
        Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            JsonNode value = f.getValue();
            if (value.isNull()) {
                target.remove(f.getKey());
            } else if (value.isObject() && target.get(f.getKey()) instanceof ObjectNode child) {
                merge(child, value);
            } else {
                target.set(f.getKey(), value.deepCopy());
            }
        }
    }

    /** {@code label KIND NAME key=value [--overwrite]} or {@code label KIND NAME key --remove}. */
    public Outcome label(String kindName, String name, String namespace, String label, boolean remove, boolean overwrite) {
        Optional<ResourceKind<?>> found = ResourceKind.byName(kindName);
        if (found.isEmpty()) {
            return unknownKind(kindName);
        }
        ResourceKind<?> kind = found.get();
        String key = remove ? label : label.contains("=") ? label.substring(0, label.indexOf('=')) : "";
        String value = remove ? null : label.contains("=") ? label.substring(label.indexOf('=') + 1) : null;
        if (key.isEmpty() || (!remove && value == null)) {
            return Outcome.fail("Failed to execute command: label must be key=value (or key with --remove), got '" + label + "'");
        }
        try {
            Resource current = store.get(kind, namespaceFor(kind, namespace), name).orElse(null);
            if (current == null) {
                return Outcome.fail("Failed to get resources: resource does not exist: " + kind.kind() + "(" + name + ")");
            }
            Map<String, String> labels = new LinkedHashMap<>(current.metadata().labels());
            if (remove) {
                if (labels.remove(key) == null) {
                    return Outcome.fail("Failed to remove label: label " + key + " is not present on "
                            + kind.kind().toLowerCase() + " " + name);
                }
            } else {
                if (labels.containsKey(key) && !overwrite && !value.equals(labels.get(key))) {
                    return Outcome.fail("Failed to set label: label " + key + " already exists with value "
                            + labels.get(key) + " on " + kind.kind().toLowerCase() + " " + name + "; use --overwrite");
                }
                labels.put(key, value);
            }
            store.update(withLabels(kind, current, labels));
            return Outcome.ok(remove ? "Successfully removed label " + key + " from " + kind.kind().toLowerCase() + " " + name + "\n"
                    : "Successfully set label " + key + " on " + kind.kind().toLowerCase() + " " + name + "\n");
        } catch (DatastoreException | InvalidResourceException | IllegalArgumentException e) {
            return Outcome.fail("Failed to update label: " + e.getMessage());
        }
    }

    private static <R extends Resource> R withLabels(ResourceKind<R> kind, Resource r, Map<String, String> labels) {
        return kind.withMetadata(r, r.metadata().withLabels(labels));
    }

    private static String namespaceFor(ResourceKind<?> kind, String namespace) {
        if (!kind.namespaced()) {
            return null;
        }
        return namespace == null || namespace.isEmpty() ? "default" : namespace;
    }

    private static Outcome unknownKind(String kindName) {
        List<String> known = new ArrayList<>();
        for (ResourceKind<?> k : ResourceKind.all()) {
            known.add(k.plural());
        }
        return Outcome.fail("Failed to execute command: resource type '" + kindName + "' is not supported; known types: "
                + String.join(", ", known));
    }
}
