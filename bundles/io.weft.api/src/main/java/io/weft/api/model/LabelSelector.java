package io.weft.api.model;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The part of Calico's selector language that IP pools use in practice ({@code nodeSelector}):
 * {@code all()} and {@code key == 'value'}. Anything else selects everything, with one warning
 * per selector, so a cluster using richer selectors keeps getting addresses while the gap is
 * visible in the log. One place for every provider that evaluates node selectors.
 */
public final class LabelSelector {

    private static final Pattern EQUALS = Pattern.compile(
            "\\s*([A-Za-z0-9][A-Za-z0-9._/-]*)\\s*==\\s*(?:'([^']*)'|\"([^\"]*)\")\\s*");
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private LabelSelector() {
    }

    /** True for {@code all()} and an empty selector: no labels are needed to decide. */
    public static boolean selectsAll(String selector) {
        return selector == null || selector.isBlank() || selector.trim().equals("all()");
    }

    /** Whether {@code labels} satisfy {@code selector}. */
    public static boolean matches(String selector, Map<String, String> labels) {
        if (selectsAll(selector)) {
            return true;
        }
        Matcher m = EQUALS.matcher(selector);
        if (m.matches()) {
            String value = m.group(2) != null ? m.group(2) : m.group(3);
            return value.equals(labels.get(m.group(1)));
        }
        if (WARNED.add(selector)) {
            System.getLogger(LabelSelector.class.getName()).log(System.Logger.Level.WARNING,
                    "selector \"" + selector + "\" is not supported yet (only all() and key == 'value'); "
                            + "treating it as all()");
        }
        return true;
    }
}
