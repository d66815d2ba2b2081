package io.weft.ipam.block;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part of Calico's selector language IP pools use in practice: {@code all()} and
 * {@code key == 'value'}. Anything else selects every node, with one warning per selector, so a
 * cluster using richer selectors keeps getting addresses while the gap is visible in the log.
 */
final class NodeSelector {

    private static final Logger LOG = LoggerFactory.getLogger(NodeSelector.class);
    private static final Pattern EQUALS = Pattern.compile(
            "\\s*([A-Za-z0-9][A-Za-z0-9._/-]*)\\s*==\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private NodeSelector() {
    }

    /** True if the selector needs the node's labels to decide. */
    static boolean needsLabels(String selector) {
        return !isAll(selector);
    }

    static boolean matches(String selector, Map<String, String> labels) {
        if (isAll(selector)) {
            return true;
        }
        Matcher m = EQUALS.matcher(selector);
        if (m.matches()) {
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            return value.equals(labels.get(m.group(1)));
        }
        if (WARNED.add(selector)) {
            LOG.warn("IP pool nodeSelector \"{}\" is not supported yet (only all() and key == 'value'); "
                    + "treating it as all()", selector);
        }
        return true;
    }

    private static boolean isAll(String selector) {
        return selector == null || selector.isBlank() || selector.trim().equals("all()");
    }
}
