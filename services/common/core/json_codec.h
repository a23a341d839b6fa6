// A fast reader and writer of the proto3 JSON mapping, driven by the message descriptors over
// RapidJSON, for the forms the contracts use: scalars, strings, enums by name, nested and
// repeated messages, proto3 `optional`, google.protobuf.Timestamp. Not the whole mapping: where a
// document or a message holds anything else (a map, Any, Struct, Duration, wrappers, bytes, a
// float, an unknown field or enum name, a number given as a string, an array in an array, a key
// twice, NaN, deep nesting, ...) it says it cannot, and codec.cc's Decode and ToJson use
// protobuf's own converter, which has the last word on what is valid and how it is reported.
//
// What it does produce is what protobuf's converter would: FastParse makes the same message,
// FastPrint JSON that protobuf's parser reads back to the same message (tests/services/common/core
// /json_codec_test.cc and the fuzz target json_codec_fuzz compare them on every input).
#ifndef REFERRAL_SERVICES_COMMON_CORE_JSON_CODEC_H_
#define REFERRAL_SERVICES_COMMON_CORE_JSON_CODEC_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace referral::json {

// Parses `json` into `message` (cleared first). True: `message` is exactly what protobuf's
// parser makes of `json`, and the gateway's stricter reading (codec.cc, StrictJson) finds
// nothing wrong. False: this reader does not handle something in it (or it is invalid); the
// content of `message` is then unspecified.
bool FastParse(absl::string_view json, google::protobuf::Message& message);

// Writes `message` as canonical proto3 JSON on one line into `out` (replacing it). False when the
// message holds something this writer does not handle, or that has no JSON form (a Timestamp
// outside 0001..9999); `out` is then unspecified.
bool FastPrint(const google::protobuf::Message& message, std::string& out);

}  // namespace referral::json

#endif  // REFERRAL_SERVICES_COMMON_CORE_JSON_CODEC_H_
