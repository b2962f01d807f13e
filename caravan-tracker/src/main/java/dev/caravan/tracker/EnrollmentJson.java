package dev.caravan.tracker;

import static dev.caravan.tracker.AnnounceRequestJson.MAPPER;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Base64;

/**
 * The JSON of enrollment and renewal.
 * <pre>
 * POST /v1/enroll  {"token": "cvj1....", "csr": base64(PKCS#10 DER)}   (no client certificate needed)
 * POST /v1/renew   {"csr": base64(PKCS#10 DER)}                         (the agent's current certificate)
 * 200              {"certificate": PEM, "ca": PEM, "not_after": ISO-8601}
 * </pre>
 */
final class EnrollmentJson {
    private EnrollmentJson() {
    }

    static byte[] request(String token, byte[] csr) {
        ObjectNode root = MAPPER.createObjectNode();
        if (token != null) {
            root.put("token", token);
        }
        root.put("csr", Base64.getEncoder().encodeToString(csr));
        return AnnounceResponseJson.bytes(root);
    }

    static String token(byte[] body) throws BadRequestException {
        return text(parse(body), "token");
    }

    static byte[] csr(byte[] body) throws BadRequestException {
        try {
            return Base64.getDecoder().decode(text(parse(body), "csr"));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("csr", "csr must be base64");
        }
    }

    static byte[] answer(Enrollments.Issued issued) {
        return AnnounceResponseJson.bytes(MAPPER.createObjectNode().put("certificate", issued.certificatePem())
                .put("ca", issued.caPem()).put("not_after", issued.notAfter().toString()));
    }

    /** The answer's certificate and CA PEM texts. */
    record Answer(String certificatePem, String caPem) {
    }

    static Answer readAnswer(byte[] body) throws TrackerException {
        try {
            JsonNode root = parse(body);
            return new Answer(text(root, "certificate"), text(root, "ca"));
        } catch (BadRequestException e) {
            throw new TrackerException("malformed enrollment answer from the tracker: " + e.getMessage());
        }
    }

    private static JsonNode parse(byte[] body) throws BadRequestException {
        try {
            JsonNode root = MAPPER.readTree(body);
            if (root == null || !root.isObject()) {
                throw new BadRequestException("body", "body must be a JSON object");
            }
            return root;
        } catch (JacksonException e) {
            throw new BadRequestException("body", "body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequestException("body", "body cannot be read: " + e.getMessage());
        }
    }

    private static String text(JsonNode root, String field) throws BadRequestException {
        JsonNode n = root.get(field);
        if (n == null || !n.isTextual() || n.asText().isEmpty()) {
            throw new BadRequestException(field, field + " is required, as a string");
        }
        return n.asText();
    }
}
