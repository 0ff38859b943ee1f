"""The demo's brand library: 24 invited brands, 50 products each, with Chinese names,
prices, commission rates, a few `sensitive` products, and drawn product images.

Everything is generated from the tables below with a seeded random generator, so every
demo has the same catalog. The images are small SVG files in web/static/demo/ (one per
category and colour, committed; `python -m runtime.demo_catalog` redraws them), served by
the gateway like the rest of the web client: nothing is fetched from the network.
"""
from __future__ import annotations

import random
import sys
from dataclasses import dataclass
from pathlib import Path

ART_DIR = Path(__file__).resolve().parent.parent / "web" / "static" / "demo"
PALETTES = [("#ffe3e0", "#e4393c"), ("#e3f2ff", "#2f7de1"), ("#e7f7e9", "#2e9b47"),
            ("#fff4d6", "#d08a00"), ("#f1e6ff", "#8a4fd8"), ("#e0f7f6", "#14918b")]


@dataclass(frozen=True)
class Category:
    slug: str
    name: str       # the catalog's `category`, as shown (the web client translates it)
    glyph: str      # drawn on the product image
    items: tuple[str, ...]
    specs: tuple[str, ...]
    price: tuple[int, int]  # list price range, yuan
    sensitive: tuple[str, ...] = ()


CATEGORIES = [
    Category("tea", "茶饮", "茶", ("西湖龙井", "碧螺春", "安吉白茶", "祁门红茶", "茉莉花茶", "普洱熟茶", "冻顶乌龙", "正山小种",
                                   "桂花乌龙", "冷泡绿茶"), ("100g", "250g 罐装", "礼盒装", "袋泡 30 包", "便携装"), (39, 598)),
    Category("snack", "零食", "食", ("每日坚果", "芒果干", "牛肉干", "手撕面包", "海苔脆", "蛋黄酥", "山楂条", "黑芝麻丸",
                                     "无糖苏打饼", "鲜花饼"), ("500g", "礼盒装", "独立小包 20 袋", "家庭装", "尝鲜装"), (19, 168)),
    Category("beauty", "美妆", "妆", ("氨基酸洁面", "玻尿酸精华", "烟酰胺精华", "防晒乳 SPF50", "保湿面霜", "卸妆油", "补水面膜",
                                      "润唇膏", "眼霜", "爽肤水"), ("30ml", "50ml", "100ml", "两支装", "旅行装"), (59, 468)),
    Category("care", "个护", "护", ("氨基酸洗发水", "护发素", "沐浴露", "电动牙刷", "漱口水", "护手霜", "身体乳", "洗衣凝珠",
                                    "止汗露", "牙膏"), ("500ml", "家庭装", "替换装", "两瓶装", "旅行装"), (19, 299),
             sensitive=("私护洗液", "安全套 超薄", "验孕棒", "私处护理湿巾")),
    Category("home", "家居", "家", ("长绒棉浴巾", "荞麦枕", "乳胶枕", "四件套", "香薰蜡烛", "收纳箱", "记忆棉坐垫", "遮光窗帘",
                                    "夏凉被", "地垫"), ("单只", "两件套", "1.5m", "1.8m", "大号"), (39, 899)),
    Category("kitchen", "厨房", "厨", ("铸铁锅", "不粘炒锅", "陶瓷刀", "玻璃保鲜盒", "手冲咖啡壶", "电饭煲", "空气炸锅", "砧板",
                                       "青瓷碗", "保温杯"), ("单件", "套装", "3L", "5L", "大号"), (29, 1299)),
    Category("clothing", "服饰", "衣", ("纯棉T恤", "真丝围巾", "羊毛袜", "冲锋衣", "亚麻衬衫", "运动短裤", "针织开衫", "帆布包",
                                        "棒球帽", "羽绒背心"), ("S", "M", "L", "XL", "均码"), (49, 999)),
    Category("baby", "母婴", "婴", ("婴儿湿巾", "纸尿裤", "儿童牙刷", "宝宝米饼", "婴儿润肤乳", "吸管杯", "口水巾", "安抚玩具",
                                    "儿童餐具", "防晒霜"), ("S 码", "M 码", "L 码", "组合装", "单件"), (19, 399)),
    Category("digital", "数码", "数", ("蓝牙耳机", "充电宝", "快充头", "数据线", "机械键盘", "无线鼠标", "智能手环", "手机支架",
                                       "便携音箱", "移动硬盘"), ("白色", "黑色", "10000mAh", "1m", "标准版"), (39, 1599)),
    Category("sports", "运动", "动", ("瑜伽垫", "跳绳", "弹力带", "速干毛巾", "运动水壶", "护膝", "筋膜枪", "哑铃",
                                      "登山杖", "跑步袜"), ("标准款", "加厚款", "两只装", "6mm", "单只"), (19, 699)),
    Category("books", "图书", "书", ("唐诗三百首", "宋词选", "汉字的故事", "中国历史地图", "家常菜谱", "儿童绘本", "围棋入门",
                                     "书法字帖", "园艺手册", "摄影入门"), ("精装", "平装", "插图版", "套装", "典藏版"), (19, 299)),
    Category("pets", "宠物", "宠", ("猫粮", "狗粮", "冻干零食", "猫砂", "宠物窝", "逗猫棒", "牵引绳", "宠物梳",
                                    "宠物湿巾", "饮水机"), ("1.5kg", "5kg", "小号", "中号", "大号"), (19, 499)),
]
BY_SLUG = {c.slug: c for c in CATEGORIES}

# (name, pinyin for SKUs, the categories it sells)
BRANDS = [
    ("西湖茶社", "XHCS", ("tea", "kitchen")), ("江南织造", "JNZZ", ("clothing", "home")),
    ("清肌实验室", "QJSY", ("beauty", "care")), ("小熊零嘴", "XXLZ", ("snack", "baby")),
    ("山野户外", "SYHW", ("sports", "clothing")), ("青瓷工坊", "QCGF", ("kitchen", "home")),
    ("云南普洱坊", "YNPE", ("tea", "snack")), ("宝贝初心", "BBCX", ("baby", "care")),
    ("极客数码", "JKSM", ("digital", "sports")), ("书香门第", "SXMD", ("books", "baby")),
    ("毛孩子", "MHZ", ("pets", "home")), ("暖暖家纺", "NNJF", ("home", "baby")),
    ("本草堂", "BCT", ("care", "beauty")), ("麦香烘焙", "MXHB", ("snack", "kitchen")),
    ("光合运动", "GHYD", ("sports", "digital")), ("素雅服饰", "SYFS", ("clothing", "beauty")),
    ("森林书屋", "SLSW", ("books", "tea")), ("汪星人", "WXR", ("pets", "snack")),
    ("轻厨", "QC", ("kitchen", "digital")), ("花间集", "HJJ", ("beauty", "clothing")),
    ("安心生活", "AXSH", ("care", "home")), ("闽南茶园", "MNCY", ("tea", "books")),
    ("声学实验室", "SXSY", ("digital", "books")), ("喵星球", "MXQ", ("pets", "care")),
]
PER_BRAND = 50


@dataclass(frozen=True)
class DemoProduct:
    brand_index: int
    sku: str
    name: str
    category: Category
    list_price_cents: int
    exclusive_price_cents: int
    commission_rate_bp: int
    stock: int
    sensitive: bool
    art: str  # file name under web/static/demo/


def products(rng: random.Random | None = None, brands: int = len(BRANDS), per_brand: int = PER_BRAND
             ) -> list[DemoProduct]:
    rng = rng or random.Random(20210520)  # the article's date
    result = []
    for b, (brand, code, slugs) in enumerate(BRANDS[:brands]):
        names: set[str] = set()
        for n in range(per_brand):
            category = BY_SLUG[slugs[n % len(slugs)]]
            sensitive = bool(category.sensitive) and n < 2 * len(slugs) and n % len(slugs) == slugs.index(category.slug) \
                and b in (2, 12, 20)
            while True:
                item = rng.choice(category.sensitive) if sensitive else rng.choice(category.items)
                name = f"{brand} {item} {rng.choice(category.specs)}"
                if name not in names:
                    names.add(name)
                    break
                sensitive = False
            low, high = category.price
            list_price = rng.randint(low, high) * 100 + rng.choice((0, 0, 0, 80, 90))
            discount = rng.choice((0.6, 0.7, 0.75, 0.8, 0.85, 0.9))
            exclusive = max(100, int(list_price * discount) // 10 * 10)
            result.append(DemoProduct(
                brand_index=b, sku=f"{code}-{n + 1:03d}", name=name, category=category,
                list_price_cents=list_price, exclusive_price_cents=exclusive,
                commission_rate_bp=rng.choice((300, 500, 800, 1000, 1200, 1500)),
                stock=rng.randint(200, 2000), sensitive=sensitive,
                art=f"{category.slug}-{rng.randrange(len(PALETTES))}.svg"))
    return result


def svg(category: Category, palette: int) -> str:
    background, ink = PALETTES[palette]
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 240 240">'
        f'<rect width="240" height="240" fill="{background}"/>'
        f'<circle cx="196" cy="44" r="58" fill="{ink}" opacity=".12"/>'
        f'<circle cx="36" cy="210" r="44" fill="{ink}" opacity=".10"/>'
        f'<rect x="62" y="58" width="116" height="132" rx="18" fill="#fff" stroke="{ink}" stroke-width="5"/>'
        f'<rect x="88" y="40" width="64" height="26" rx="8" fill="{ink}"/>'
        f'<text x="120" y="150" font-size="64" text-anchor="middle" fill="{ink}" '
        f'font-family="PingFang SC, Noto Sans CJK SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif" '
        f'font-weight="700">{category.glyph}</text></svg>\n')


def draw_all(target: Path = ART_DIR) -> int:
    target.mkdir(parents=True, exist_ok=True)
    count = 0
    for category in CATEGORIES:
        for palette in range(len(PALETTES)):
            (target / f"{category.slug}-{palette}.svg").write_text(svg(category, palette), encoding="utf-8")
            count += 1
    return count


if __name__ == "__main__":
    print(f"{draw_all(Path(sys.argv[1]) if len(sys.argv) > 1 else ART_DIR)} images written", file=sys.stderr)
