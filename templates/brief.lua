-- briefgen's pandoc filter: keeps or drops audience blocks, labels analysis, advice and
-- asides, and marks uncited sentences in draft builds. Runs for every output format.
--
-- Metadata read: briefgen-audience (string). Runs before citeproc, so citations in
-- dropped audience blocks are not listed in the references; citations.lua runs after.

local audience = nil
local LABELS = { judgment = "Assessment", recommendation = "Recommendation", note = "Note" }
local FILL = { judgment = "eef3f8", recommendation = "eef6ee", note = "f4f4f4" }
local STROKE = { judgment = "2f5d8a", recommendation = "2e7d32", note = "888888" }
local DOCX_STYLE = { judgment = "Assessment", recommendation = "Recommendation", note = "Aside" }

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

local function kind_of(el)
  for _, class in ipairs(el.classes) do
    if LABELS[class] then return class end
  end
  return nil
end

local function labelled_div(el, kind)
  local label = pandoc.Para({ pandoc.Strong({ pandoc.Str(LABELS[kind]) }) })
  local content = { label }
  for _, b in ipairs(el.content) do table.insert(content, b) end
  if FORMAT:match("typst") then
    el.attributes["typst:fill"] = 'rgb("#' .. FILL[kind] .. '")'
    el.attributes["typst:inset"] = "8pt"
    el.attributes["typst:radius"] = "2pt"
    el.attributes["typst:width"] = "100%"
    el.attributes["typst:stroke"] = '(left: 2.5pt + rgb("#' .. STROKE[kind] .. '"))'
  elseif FORMAT:match("docx") then
    el.attributes["custom-style"] = DOCX_STYLE[kind]
  end
  el.content = content
  return el
end

function Meta(meta)
  if meta["briefgen-audience"] then
    audience = pandoc.utils.stringify(meta["briefgen-audience"])
  end
end

function Div(el)
  if el.classes:includes("audience") then
    if audience and not admits(el) then return {} end
    return el.content
  end
  local kind = kind_of(el)
  if kind then return labelled_div(el, kind) end
  return nil
end

function Span(el)
  if el.classes:includes("uncited") then
    el.content:insert(1, pandoc.Strong({ pandoc.Str("[UNCITED]"), pandoc.Space() }))
    if FORMAT:match("typst") then
      return { pandoc.RawInline("typst", '#highlight(fill: rgb("#ffd6d6"))['),
               pandoc.Span(el.content), pandoc.RawInline("typst", "]") }
    elseif FORMAT:match("docx") then
      el.attributes["custom-style"] = "Uncited"
    end
    return el
  end
  local kind = kind_of(el)
  if kind then
    local content = { pandoc.Strong({ pandoc.Str(LABELS[kind] .. ":") }), pandoc.Space() }
    for _, i in ipairs(el.content) do table.insert(content, i) end
    el.content = content
    return el
  end
  return nil
end

return {
  { Meta = Meta },
  { Div = Div, Span = Span },
}
