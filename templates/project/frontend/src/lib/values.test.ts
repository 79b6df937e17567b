import { describe, expect, it } from "vitest";
import type { FieldMeta } from "./entities";
import { fromInput, toInput, toPayload } from "./values";

const field = (type: FieldMeta["type"], nullable = false): FieldMeta => ({
  name: type,
  label: type,
  type,
  required: !nullable,
  nullable,
});

describe("form values", () => {
  it("converts numbers, booleans and JSON", () => {
    expect(fromInput(field("integer"), "42")).toBe(42);
    expect(fromInput(field("boolean"), "true")).toBe(true);
    expect(fromInput(field("json"), '{"a": 1}')).toEqual({ a: 1 });
    expect(toInput(field("json"), { a: 1 })).toBe('{\n  "a": 1\n}');
  });

  it("sends null for an empty optional field and leaves out an empty required one", () => {
    const fields = [field("date", true), field("string")];
    expect(toPayload(fields, { date: "", string: "" })).toEqual({ date: null });
  });

  it("round-trips a datetime through the user's time zone", () => {
    const iso = "2026-03-01T12:30:00.000Z";
    expect(fromInput(field("datetime"), toInput(field("datetime"), iso))).toBe(iso);
  });
});
