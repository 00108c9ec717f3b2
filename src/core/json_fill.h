// json_fill.h - writing a JSON object in place: a member that exists is
// assigned (no allocation for numbers and booleans, none for an array that
// is cleared and refilled within its capacity), one that does not is added.
// What lets `biosx batch` reuse one biosx.run object for every call instead
// of building and freeing a hundred nodes per call. Userspace.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace biosx {

// The member `key` of object `j`, added as null when absent.
inline nlohmann::json& member(nlohmann::json& j, std::string_view key)
{
    if (!j.is_object()) j = nlohmann::json::object();
    auto it = j.find(key);
    return it != j.end() ? *it : j[std::string(key)];
}

// Removes the member `key` of object `j` where it exists (an optional member
// the object being refilled does not have this time).
inline void drop_member(nlohmann::json& j, std::string_view key)
{
    if (auto it = j.find(key); it != j.end()) j.erase(it);
}

// Sets `v` to the string `s`, reusing v's buffer when it already holds one.
inline void assign_string(nlohmann::json& v, std::string_view s)
{
    if (v.is_string())
        v.get_ref<std::string&>().assign(s);
    else
        v = std::string(s);
}

// The member `key` as an empty array, keeping its capacity.
inline nlohmann::json& empty_array(nlohmann::json& j, std::string_view key)
{
    nlohmann::json& a = member(j, key);
    if (a.is_array())
        a.clear();
    else
        a = nlohmann::json::array();
    return a;
}

}  // namespace biosx
