import { describe, expect, it } from "vitest";
import { fieldOf, problemFrom } from "./errors";

describe("problemFrom", () => {
  it("reads FastAPI's validation list", () => {
    const error = problemFrom(422, {
      detail: [{ type: "missing", loc: ["body", "email"], msg: "Field required" }],
    });
    expect(error.status).toBe(422);
    expect(error.fieldErrors).toEqual({ email: "Field required" });
  });

  it("reads application/problem+json with code and errors", () => {
    const error = problemFrom(422, {
      type: "about:blank",
      title: "Unprocessable",
      code: "validation_failed",
      detail: "The request is not valid",
      errors: [{ loc: ["body", "full_name"], msg: "Too long" }],
    });
    expect(error.code).toBe("validation_failed");
    expect(error.message).toBe("The request is not valid");
    expect(error.fieldErrors).toEqual({ full_name: "Too long" });
  });

  it("falls back to a plain detail, then to the status text", () => {
    expect(problemFrom(402, { detail: "Upgrade" }).message).toBe("Upgrade");
    expect(problemFrom(500, null, "Server Error").message).toBe("Server Error");
  });
});

describe("fieldOf", () => {
  it("takes the first name after body, from a list or a dotted string", () => {
    expect(fieldOf(["body", "contact_id"])).toBe("contact_id");
    expect(fieldOf("body.score")).toBe("score");
    expect(fieldOf([])).toBeUndefined();
  });
});
