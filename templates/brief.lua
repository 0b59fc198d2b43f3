-- briefgen's per-format filter: labels analysis, advice and asides ("Assessment",
-- "Recommendation", "Note") and marks uncited sentences in draft builds, styled for the
-- output format. Runs after audience.lua and citeproc.

local LABELS = { judgment = "Assessment", recommendation = "Recommendation", note = "Note" }
local FILL = { judgment = "eef3f8", recommendation = "eef6ee", note = "f4f4f4" }
local STROKE = { judgment = "2f5d8a", recommendation = "2e7d32", note = "888888" }
local DOCX_STYLE = { judgment = "Assessment", recommendation = "Recommendation", note = "Aside" }

local function kind_of(el)
  for _, class in ipairs(el.classes) do
    if LABELS[class] then return class end
  end
  return nil
end

local function docx_label(kind)
  -- a label paragraph kept with the text after it, so it never ends a page alone
  return pandoc.RawBlock("openxml",
    '<w:p><w:pPr><w:pStyle w:val="' .. DOCX_STYLE[kind] .. '"/><w:keepNext/></w:pPr>'
    .. '<w:r><w:rPr><w:b/></w:rPr><w:t>' .. LABELS[kind] .. '</w:t></w:r></w:p>')
end

local function typst_label(kind)
  -- a sticky block: Typst keeps it on the page of the block after it, so the label never
  -- ends a page alone
  local label = pandoc.Div({ pandoc.Para({ pandoc.Strong({ pandoc.Str(LABELS[kind]) }) }) })
  label.attributes["typst:sticky"] = "true"
  return label
end

local function labelled_div(el, kind)
  local label = pandoc.Para({ pandoc.Strong({ pandoc.Str(LABELS[kind]) }) })
  if FORMAT:match("docx") then label = docx_label(kind) end
  if FORMAT:match("typst") then label = typst_label(kind) end
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

-- Portion marking: a block or section marked above the brief's lowest marking (an
-- audience block with marking=, a section whose front matter says so) carries a small tag
-- in its TLP colours where it starts, and in the PDF a rule in that colour beside it.
local TLP = { ["TLP:GREEN"] = "33FF00", ["TLP:AMBER"] = "FFC000",
              ["TLP:AMBER+STRICT"] = "FFC000", ["TLP:RED"] = "FF2B2B" }

local function portion_tag(marking, colour)
  if FORMAT:match("typst") then
    return pandoc.RawInline("typst", '#box(fill: black, inset: (x: 3pt, y: 1.5pt), radius: 1pt, '
      .. 'text(font: "DejaVu Sans Mono", size: 7pt, weight: "bold", fill: rgb("#' .. colour
      .. '"))[' .. marking:gsub("%+", "\\+") .. '])')
  elseif FORMAT:match("docx") then
    return pandoc.RawInline("openxml",
      '<w:r><w:rPr><w:rFonts w:ascii="Consolas" w:hAnsi="Consolas" w:cs="Consolas"/><w:b/>'
      .. '<w:color w:val="' .. colour .. '"/><w:sz w:val="16"/>'
      .. '<w:shd w:val="clear" w:color="auto" w:fill="000000"/></w:rPr>'
      .. '<w:t xml:space="preserve"> ' .. marking .. ' </w:t></w:r>')
  end
  local class = "portion-mark tlp-" .. marking:sub(5):lower():gsub("%+", "-")
  return pandoc.Span({ pandoc.Str(marking) }, pandoc.Attr("", { class }))
end

local function portion(el)
  local marking = el.attributes["marking"]
  local colour = TLP[marking or ""]
  if colour == nil then return el.content end -- not briefgen's: nothing to mark
  local tag = pandoc.Div({ pandoc.Plain({ portion_tag(marking, colour) }) })
  if FORMAT:match("typst") then
    tag.attributes["typst:sticky"] = "true" -- never alone at the foot of a page
  elseif FORMAT:match("docx") then
    tag.attributes["custom-style"] = "Portion Marking" -- kept with the next paragraph
  end
  local content = pandoc.Blocks({ tag })
  content:extend(el.content)
  if FORMAT:match("typst") then
    local block = pandoc.Div(content)
    block.attributes["typst:stroke"] = '(left: 2pt + rgb("#' .. colour .. '"))'
    block.attributes["typst:inset"] = "(left: 8pt)"
    block.attributes["typst:width"] = "100%"
    return block
  elseif FORMAT:match("docx") then
    -- no rule beside a block in Word: the portion's end is marked as its start is
    local closing = pandoc.Div({ pandoc.Plain({ pandoc.Str("End"), pandoc.Space(),
      pandoc.Str("of"), pandoc.Space(), portion_tag(marking, colour) }) })
    closing.attributes["custom-style"] = "Portion End"
    content:insert(closing)
    return content
  end
  local class = "portion tlp-" .. marking:sub(5):lower():gsub("%+", "-")
  return pandoc.Div(content, pandoc.Attr("", { class }))
end

function Div(el)
  if el.classes:includes("briefgen-portion") then return portion(el) end
  local kind = kind_of(el)
  if kind then return labelled_div(el, kind) end
  return nil
end

-- a draft's marks: uncited claims, and (briefgen.evidence) claims with a figure no cited
-- source gives or whose sources hardly support them
local DRAFT_MARKS = {
  uncited = { "[UNCITED]", "ffd6d6" },
  ["unsupported-figure"] = { "[UNSUPPORTED FIGURE]", "ffd6d6" },
  ["weak-support"] = { "[WEAK SUPPORT]", "fff0b3" },
}

function Span(el)
  local draft = nil
  for class, mark in pairs(DRAFT_MARKS) do
    if el.classes:includes(class) then draft = mark end
  end
  if draft then
    local label = draft[1]
    local words = {}
    for word in label:gmatch("%S+") do
      if #words > 0 then table.insert(words, pandoc.Space()) end
      table.insert(words, pandoc.Str(word))
    end
    table.insert(words, pandoc.Space())
    el.content:insert(1, pandoc.Strong(words))
    if FORMAT:match("typst") then
      return { pandoc.RawInline("typst", '#highlight(fill: rgb("#' .. draft[2] .. '"))['),
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

-- figures.lua numbered figures and tables (briefgen-number); Typst writes "Figure 2:"
-- before a caption itself, the DOCX and HTML get it here.
local function numbered(kind)
  return function(el)
    local n = el.attributes["briefgen-number"]
    if n == nil then return nil end
    el.attributes["briefgen-number"] = nil
    local blocks = el.caption.long
    if not FORMAT:match("typst") and #blocks > 0 and blocks[1].content then
      local label = pandoc.Inlines({ pandoc.Strong({ pandoc.Str(kind .. " " .. n .. ":") }),
        pandoc.Space() })
      label:extend(blocks[1].content)
      blocks[1].content = label
      el.caption.long = blocks
    end
    return el
  end
end

-- Images in the PDF carry their alt text (pandoc's Typst writer drops it; an accessible PDF,
-- PDF/UA-1, needs it: the check refuses an image without one). Path and alt text reach
-- Typst only as string literals: backslash and quote escaped, control characters made
-- spaces; a width or height only as a plain length.
local function typst_string(s)
  local text = s:gsub("%c", " "):gsub("\\", "\\\\"):gsub('"', '\\"')
  return '"' .. text .. '"'
end

local function typst_length(value)
  if value == nil then return nil end
  local number, unit = value:match("^(%d+%.?%d*)(%a*%%?)$")
  if number == nil then return nil end
  if unit == "px" or unit == "" then  -- pixels at 96 per inch, as pandoc reads them
    return string.format("%.3fin", tonumber(number) / 96)
  end
  local units = { ["%"] = true, pt = true, cm = true, mm = true, ["in"] = true, em = true }
  if units[unit] then return number .. unit end
  return nil
end

function Image(img)
  if not FORMAT:match("typst") then return nil end
  local args = { typst_string(img.src) }
  for _, name in ipairs({ "height", "width" }) do
    local length = typst_length(img.attributes[name])
    if length then table.insert(args, name .. ": " .. length) end
  end
  -- the alt text says what the image shows: its citation numbers are not read out
  local shown = pandoc.Inlines(img.caption):walk({ Cite = function() return {} end })
  local alt = pandoc.utils.stringify(shown):gsub("%s+", " "):match("^ ?(.-) ?$")
  if alt:match("%S") then table.insert(args, "alt: " .. typst_string(alt)) end
  return pandoc.RawInline("typst", "#box(image(" .. table.concat(args, ", ") .. "))")
end

return {
  { Div = Div, Span = Span, Figure = numbered("Figure"), Table = numbered("Table"), Image = Image },
}
