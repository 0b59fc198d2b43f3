-- briefgen serve's audience filter for "what another audience would not see, shown":
-- like audience.lua, but a block the audience would not get is kept, marked with the
-- class bg-withheld and the audiences it names (the page strikes it out). Used only when
-- the workspace is asked to show withheld text; otherwise audience.lua itself runs.

local audience = nil

local function words(s)
  local out = {}
  for w in string.gmatch(s or "", "[^%s,]+") do out[w] = true end
  return out
end

local function admits(el)
  local only, except = el.attributes["only"], el.attributes["except"]
  if only and not words(only)[audience] then return false end
  if except and words(except)[audience] then return false end
  return true
end

function Meta(meta)
  if meta["briefgen-audience"] then
    audience = pandoc.utils.stringify(meta["briefgen-audience"])
  end
end

function Div(el)
  if not el.classes:includes("audience") then return nil end
  if audience == nil or admits(el) then return el.content end
  local who = el.attributes["only"] and ("only " .. el.attributes["only"])
    or ("except " .. (el.attributes["except"] or ""))
  local attr = pandoc.Attr("", { "bg-withheld" }, { { "data-who", who } })
  return pandoc.Div(el.content, attr)
end

return {
  { Meta = Meta },
  { Div = Div },
}
