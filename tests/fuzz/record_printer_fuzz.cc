// libFuzzer target: what `referralctl tail` prints for any record (issue 9: a 400,000-level
// nested JSON record crashed it), and the dead-letter path for any record. The first byte picks
// the topic and headers; the rest is the record's value (and, split, its key and a header).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "services/common/messaging/dead_letter.h"
#include "services/referralctl/record_printer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const char* const kTopics[] = {"incidents.v1", "referrals.standardised.v1",
                                        "incidents.dlq.v1", "other"};
  static const char* const kContentTypes[] = {"application/json", "application/x-protobuf", "",
                                              "text/plain"};
  std::vector<referral::Header> headers = {{"content-type", kContentTypes[(selector >> 2) & 3]}};
  if (selector & 16) headers.push_back({"ce_type", "uk.gov.referral.v1.routed"});
  if (selector & 32) headers.push_back({"ce_type", "uk.gov.police.incident.v1"});
  (void)referral::ctl::DumpLine(
      referral::ctl::PrintableValue(kTopics[selector & 3], headers, bytes));

  referral::InRecord in;
  in.topic = kTopics[selector & 3];
  in.key = absl::string_view(bytes).substr(0, bytes.size() / 2);
  in.value = absl::string_view(bytes).substr(bytes.size() / 2);
  in.headers = {{"ce_id", bytes.substr(0, 16)}, {"x", bytes.substr(bytes.size() / 3)}};
  const referral::OutRecord letter = referral::MakeDeadLetter(in, "dlq", "fuzz", "undecodable",
                                                              bytes.substr(0, 64));
  for (auto form : {referral::DeadLetterForm::kWhole, referral::DeadLetterForm::kWithoutValue,
                    referral::DeadLetterForm::kCoordinatesOnly}) {
    const referral::OutRecord cut = referral::CutDeadLetter(letter, form);
    if (form == referral::DeadLetterForm::kCoordinatesOnly && (!cut.key.empty() || !cut.value.empty())) {
      __builtin_trap();
    }
  }
  return 0;
}
