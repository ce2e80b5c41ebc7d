#include "domain/access.h"

#include <gtest/gtest.h>

namespace tickets {
namespace {

TEST(AccessRules, AdminsMayDoEverything) {
  Principal admin{Role::kAdmin, {}, std::nullopt};
  for (auto action : {Action::kManageTokens, Action::kEditCatalogue, Action::kReadStats,
                      Action::kReadDoorFigures, Action::kCheckIn, Action::kInjectFaults}) {
    EXPECT_TRUE(permits(admin, action, std::nullopt));
    EXPECT_TRUE(permits(admin, action, 42));
  }
}

TEST(AccessRules, ReportsMayReadEveryEventsFiguresAndNothingElse) {
  Principal reports{Role::kReports, {}, 7};
  EXPECT_TRUE(canReadStats(reports, 1));
  EXPECT_TRUE(canReadStats(reports, 99));
  EXPECT_FALSE(canCheckIn(reports, 1));
  EXPECT_FALSE(canEditCatalogue(reports));
  EXPECT_FALSE(canManageTokens(reports));
  EXPECT_FALSE(permits(reports, Action::kInjectFaults, std::nullopt));
  EXPECT_TRUE(permits(reports, Action::kReadDoorFigures, 99));
}

TEST(AccessRules, DoorStaffMayCheckInAtTheirEventsOnly) {
  Principal door{Role::kDoor, {3, 5}, 8};
  EXPECT_TRUE(permits(door, Action::kCheckIn, std::nullopt)) << "may try, event not yet named";
  EXPECT_TRUE(canCheckIn(door, 3));
  EXPECT_TRUE(canCheckIn(door, 5));
  EXPECT_FALSE(canCheckIn(door, 4));
  EXPECT_FALSE(canReadStats(door, 3)) << "revenue is not the door's business";
  EXPECT_TRUE(permits(door, Action::kReadDoorFigures, 3)) << "admitted against capacity";
  EXPECT_FALSE(permits(door, Action::kReadDoorFigures, 4));
  EXPECT_FALSE(canEditCatalogue(door));
  EXPECT_FALSE(canManageTokens(door));
  EXPECT_FALSE(permits(door, Action::kInjectFaults, std::nullopt));
}

TEST(AccessRules, RolesRoundTripAsText) {
  for (auto role : {Role::kAdmin, Role::kDoor, Role::kReports}) {
    EXPECT_EQ(parseRole(toString(role)), role);
  }
  EXPECT_FALSE(parseRole("Admin"));
  EXPECT_FALSE(parseRole(""));
}

TEST(AccessRules, RefusalsAreForbiddenAndSayWhat) {
  auto refusal = forbidden(Action::kCheckIn);
  EXPECT_EQ(refusal.code, ErrorCode::kForbidden);
  EXPECT_EQ(refusal.detail, "this token may not check tickets in at this event");
}

}  // namespace
}  // namespace tickets
