-- briefgen's filter for dated statements, run once per brief right after audience.lua.
-- A dated span or div ([text]{.dated until=2026-04-03}, ::: {.dated as-of=2026-07-02})
-- leaves no trace in the outputs: no dated class, no date attribute, the text stays (with
-- any other class it has, such as note). Only with
-- show_as_of: true in briefgen.yaml (metadata briefgen-show-as-of) does an as-of date
-- follow its text, as " (as of 2 July 2026)". The check has read every date before a
-- build may run (dated-attribute errors refuse it); a date this filter cannot read is
-- left out, never shown half-read.

local MONTHS = { "January", "February", "March", "April", "May", "June", "July",
                 "August", "September", "October", "November", "December" }

local show_as_of = false

local function as_of_words(el)
  local y, m, d = string.match(el.attributes["as-of"] or "", "^(%d%d%d%d)%-(%d%d)%-(%d%d)$")
  local month = m and MONTHS[tonumber(m)]
  if not (show_as_of and month) then return nil end
  return pandoc.Inlines(" (as of " .. tonumber(d) .. " " .. month .. " " .. y .. ")")
end

-- The element without its date: gone when "dated" was its only class, or kept with its
-- other classes (a [text]{.note .dated as-of=...} stays a note), never with the dates.
local function undated(el, content)
  local others = el.classes:filter(function(c) return c ~= "dated" end)
  if #others == 0 and el.identifier == "" then return content end
  el.classes = others
  el.attributes["until"] = nil
  el.attributes["as-of"] = nil
  el.content = content
  return el
end

function Meta(meta)
  show_as_of = meta["briefgen-show-as-of"] == true
end

function Span(el)
  if not el.classes:includes("dated") then return nil end
  local words = as_of_words(el)
  if words then el.content:extend(words) end
  return undated(el, el.content)
end

function Div(el)
  if not el.classes:includes("dated") then return nil end
  local words = as_of_words(el)
  local content = el.content
  if words then
    local last = content[#content]
    if last and (last.t == "Para" or last.t == "Plain") then
      last.content:extend(words)
    else -- after a list or a table: the date on a line of its own
      content:insert(pandoc.Plain(words))
    end
  end
  return undated(el, content)
end

return {
  { Meta = Meta },
  { Span = Span, Div = Div },
}
