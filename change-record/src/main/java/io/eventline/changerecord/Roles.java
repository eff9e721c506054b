package io.eventline.changerecord;

import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The role rule, in one place for the services and the gateway: who a verified token is, as an
 * Eventline caller. A token is an Eventline caller when its {@code sub} can name a user in an
 * {@link Audience} ({@code user:<sub>}: 1 to 200 characters, no comma, no white space) and exactly
 * one of its groups is an Eventline role ({@link Audience#ROLES}). Groups that are not Eventline
 * roles are ignored, so an identity provider may add its own; two Eventline roles are ambiguous and
 * refused, never resolved by order. Everything else about the token (signature, issuer, audience,
 * expiry) is checked before, by the JWT verifier.
 */
public final class Roles {

    private static final Pattern SUB = Pattern.compile("[^,\\s]{1,200}");

    private Roles() {
    }

    /** The caller's one role; {@link Refused} (with why, for the problem's detail) if the token names none or several, or has no usable sub. */
    public static String of(String sub, Collection<String> groups) {
        if (!isValidSub(sub)) {
            throw new Refused(sub == null || sub.isBlank() ? "the token has no sub"
                    : "the token's sub is not 1 to 200 characters without commas or white space");
        }
        List<String> roles = groups == null ? List.of()
                : groups.stream().filter(Audience.ROLES::contains).distinct().sorted().toList();
        if (roles.isEmpty()) {
            throw new Refused("the token names no Eventline role (exactly one of " + Audience.ROLES.stream().sorted().toList()
                    + " is required)");
        }
        if (roles.size() > 1) {
            throw new Refused("the token names " + roles.size() + " Eventline roles " + roles + ": exactly one is required");
        }
        return roles.get(0);
    }

    /** Whether {@code sub} can name a user: {@code user:<sub>} is an {@link Audience} entry. */
    public static boolean isValidSub(String sub) {
        return sub != null && SUB.matcher(sub).matches();
    }

    /** A verified token that is not an Eventline caller: answered 401 everywhere, like an invalid token. */
    public static final class Refused extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }
}
